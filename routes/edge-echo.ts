import type { NextRequest } from "next/server";

// A pages route on Next's edge runtime: a Web Request in, a Response out. POST /api/edge-echo
export const config = { runtime: "edge" };

/** For the OpenAPI document (nextpress): the one method this handler answers. */
export const methods = ["POST"];

export default async function handler(request: NextRequest) {
  if (request.method !== "POST")
    return new Response(null, { status: 405, headers: { Allow: "POST" } });
  return new Response(`got: ${await request.text()}`, {
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
