import http from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { createClientErrorHandler } from "./client-error";
import { sendJsonError } from "./json-error";
import { MAX_HEADERS_COUNT } from "./request-framing";
import { isWebSocketUpgrade } from "./websocket-handshake";

/** The http.Server limits, all explicit. Times in milliseconds; 0 disables a timeout. */
export interface ServerLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** Bytes of request line + headers; more is a 431. */
  readonly maxHeaderSize: number;
  /** 0: unlimited. */
  readonly maxRequestsPerSocket: number;
  readonly shutdownTimeoutMs: number;
}

/** What requests and responses should inherit from: an Express app's `request` and `response`. */
export interface MessagePrototypes {
  readonly request: object;
  readonly response: object;
}

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Request and response classes whose prototypes are the app's: every request is born with
 * Express's and Next's helpers, and the app's own `Object.setPrototypeOf` finds nothing to change.
 */
function createMessageClasses({ request, response }: MessagePrototypes) {
  class NextpressRequest extends http.IncomingMessage {}
  Object.setPrototypeOf(NextpressRequest.prototype, request);
  class NextpressResponse extends http.ServerResponse<NextpressRequest> {}
  Object.setPrototypeOf(NextpressResponse.prototype, response);
  return { IncomingMessage: NextpressRequest, ServerResponse: NextpressResponse };
}

/**
 * The http.Server every nextpress process listens with (`npm start`, each `nextpress dev`
 * worker): every limit explicit, and every answer the server gives itself (a malformed request,
 * an unmet `Expect`, a timeout) in JSON. Node checks its timeouts every connectionsCheckingInterval.
 */
export function createHttpServer(
  listener: RequestListener,
  {
    limits,
    prototypes,
    logger,
    upgrade,
  }: {
    limits: ServerLimits;
    prototypes?: MessagePrototypes;
    logger: Logger;
    /** WEBSOCKETS=on: runs for `Upgrade: websocket` requests; any other upgrade is an ordinary request. */
    upgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  },
): http.Server {
  const shortest = Math.min(
    ...[limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0),
    30_000,
  );
  // Node 22.20/24.9+ (not in @types/node 20): only a WebSocket upgrade leaves the ordinary
  // request path; without a listener, an upgrade request is an ordinary one.
  const upgradeOption = {
    shouldUpgradeCallback: (req: http.IncomingMessage) =>
      upgrade !== undefined && isWebSocketUpgrade(req),
  };
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node's default (30 s) would let a slowloris client outlive a 10 s headersTimeout by 30 s.
      connectionsCheckingInterval: Math.max(100, Math.floor(shortest / 4)),
      // Node's answer is an empty 400: the request context answers in JSON instead.
      requireHostHeader: false,
      ...upgradeOption,
      ...(prototypes ? createMessageClasses(prototypes) : {}),
    },
    listener,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.on("clientError", createClientErrorHandler(logger));
  if (upgrade) server.on("upgrade", upgrade);
  // An `Expect` other than 100-continue: Node's answer would be an empty 417.
  server.on("checkExpectation", (req: http.IncomingMessage, res: http.ServerResponse) =>
    sendJsonError(req, res, 417, "Expectation Failed"),
  );
  return server;
}
