/**
 * 52-bit FNV-1a of a string's UTF-16 code units, in four 16-bit limbs so it stays in
 * doubles: Next's ETag hash (server/lib/etag.ts), far cheaper than Express's SHA-1.
 */
function fnv1a52(input: string): number {
  // Offset basis 0xcbf29ce484222325, split low limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < input.length; i++) {
    h0 ^= input.charCodeAt(i);
    // Multiply by the FNV prime 0x100000001b3: 0x1b3 = 435 per limb, plus 1 << 40 (limb 2 gets h0 << 8).
    const m0 = h0 * 435;
    const m1 = h1 * 435 + (m0 >>> 16);
    const m2 = h2 * 435 + (h0 << 8) + (m1 >>> 16);
    const m3 = h3 * 435 + (h1 << 8) + (m2 >>> 16);
    h0 = m0 & 0xffff;
    h1 = m1 & 0xffff;
    h2 = m2 & 0xffff;
    h3 = m3 & 0xffff;
  }
  // Fold the top 12 bits of 64 into the bottom to keep 52.
  return (h3 & 15) * 2 ** 48 + h2 * 2 ** 32 + h1 * 2 ** 16 + (h0 ^ (h3 >> 4));
}

/** A strong ETag as Next sends it: `"` + base36 hash + base36 length + `"`. */
export function generateETag(payload: string): string {
  return `"${fnv1a52(payload).toString(36)}${payload.length.toString(36)}"`;
}
