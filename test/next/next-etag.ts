/**
 * Next's `generateETag` (packages/next/src/server/lib/etag.ts), kept verbatim in shape as the
 * test oracle: nextpress's own implementation must agree with it on every payload.
 */
function fnv1a52(str: string): number {
  const len = str.length;
  let i = 0;
  let t0 = 0;
  let v0 = 0x2325;
  let t1 = 0;
  let v1 = 0x8422;
  let t2 = 0;
  let v2 = 0x9ce4;
  let t3 = 0;
  let v3 = 0xcbf2;
  while (i < len) {
    v0 ^= str.charCodeAt(i++);
    t0 = v0 * 435;
    t1 = v1 * 435;
    t2 = v2 * 435;
    t3 = v3 * 435;
    t2 += v0 << 8;
    t3 += v1 << 8;
    t1 += t0 >>> 16;
    v0 = t0 & 65535;
    t2 += t1 >>> 16;
    v1 = t1 & 65535;
    v3 = (t3 + (t2 >>> 16)) & 65535;
    v2 = t2 & 65535;
  }
  return (v3 & 15) * 281474976710656 + v2 * 4294967296 + v1 * 65536 + (v0 ^ (v3 >> 4));
}

export function nextETag(payload: string): string {
  return `"${fnv1a52(payload).toString(36)}${payload.length.toString(36)}"`;
}
