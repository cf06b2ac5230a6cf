// What `import … from "next/server"` gives a route file under nextpress (see loader/module-aliases.ts).
export { NextRequest } from "./next-request";
export { NextResponse } from "./next-response";
export { NextURL } from "./next-url";
export { userAgent, userAgentFromString, isBot, type UserAgent } from "./user-agent";
export { after, connection } from "./after";
export { NextFetchEvent } from "./fetch-event";

/** next/og's ImageResponse needs Next's renderer: not available in a standalone server. */
export class ImageResponse extends Response {
  constructor() {
    super(null, { status: 500 });
    throw new Error(
      "ImageResponse (next/og) is not supported by nextpress: it needs Next's image renderer",
    );
  }
}
export type {
  WebSocketCloseDetails,
  WebSocketHooks,
  WebSocketMessage,
  WebSocketMessageData,
  WebSocketPeer,
  WebSocketUpgradeOptions,
} from "./websocket-types";
