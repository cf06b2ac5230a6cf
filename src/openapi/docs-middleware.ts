import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import fresh from "fresh";
import { generateETag } from "../next/etag";
import { JSON_CONTENT_TYPE } from "../http/json-error";
import type { OpenApiDocument } from "./document";

/**
 * The API's `default-src 'none'` would block the page itself: scripts, styles and images from
 * this origin only (no CDN, no inline script), the document fetched from here, never framed.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TEXT_TYPES = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  png: "image/png",
} as const;

/** swagger-ui-dist files served under /docs/, by name; nothing else in the package is reachable. */
const SWAGGER_UI_FILES: Record<string, keyof typeof TEXT_TYPES> = {
  "swagger-ui.css": "css",
  "index.css": "css",
  "swagger-ui-bundle.js": "js",
  "favicon-32x32.png": "png",
  "favicon-16x16.png": "png",
};

// Its own file: the CSP allows no inline script. URLs are relative to /docs, so a path prefix added by a proxy keeps working.
const INIT_SCRIPT = `"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · API reference</title>
  <link rel="stylesheet" href="docs/index.css">
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" sizes="32x32" href="docs/favicon-32x32.png">
  <link rel="icon" type="image/png" sizes="16x16" href="docs/favicon-16x16.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
`;
}

interface Resource {
  body: Buffer;
  type: string;
  etag: string;
}

function resource(body: string | Buffer, type: string): Resource {
  const buffer = Buffer.from(body);
  return { body: buffer, type, etag: generateETag(buffer.toString("latin1")) };
}

/** 200 (or 304 for a matching If-None-Match), revalidated on every use: the page changes with the routes. */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  { body, type, etag }: Resource,
  csp?: string,
): void {
  res.setHeader("Content-Type", type);
  res.setHeader("Cache-Control", "no-cache");
  res.setHeader("ETag", etag);
  if (csp) res.setHeader("Content-Security-Policy", csp);
  if (fresh(req.headers, { etag })) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader("Content-Length", body.length);
  res.end(body);
}

/**
 * GET/HEAD `/openapi.json` (the document, serialised once) and `/docs`: swagger-ui from the
 * local swagger-ui-dist package, its files read on first use and kept. `/docs/` redirects to `/docs`.
 */
export function createDocsMiddleware(document: OpenApiDocument) {
  // Serialised and hashed on first use: for 1,000 routes that is a tenth of the start-up.
  let json: Resource | undefined;
  let html: Resource | undefined;
  const init = resource(INIT_SCRIPT, TEXT_TYPES.js);
  const swaggerUiDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));
  const assets = new Map<string, Promise<Resource>>();
  const asset = (name: string): Promise<Resource> => {
    let loaded = assets.get(name);
    if (!loaded) {
      loaded = readFile(path.join(swaggerUiDir, name)).then((body) =>
        resource(body, TEXT_TYPES[SWAGGER_UI_FILES[name]]),
      );
      // A failed read is retried next time rather than remembered.
      loaded.catch(() => assets.delete(name));
      assets.set(name, loaded);
    }
    return loaded;
  };

  return function docs(
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    const url = req.url ?? "";
    const first = url.charCodeAt(1);
    if (
      (first !== 0x6f /* o */ && first !== 0x64) /* d */ ||
      (req.method !== "GET" && req.method !== "HEAD")
    )
      return next();
    const query = url.indexOf("?");
    const pathname = query === -1 ? url : url.slice(0, query);
    if (pathname === "/openapi.json")
      return send(req, res, (json ??= resource(JSON.stringify(document), JSON_CONTENT_TYPE)));
    if (pathname === "/docs") {
      html ??= resource(page(document.info.title), "text/html; charset=utf-8");
      return send(req, res, html, DOCS_CSP);
    }
    if (pathname === "/docs/") {
      res.statusCode = 308;
      res.setHeader("Location", "../docs");
      return void res.end();
    }
    if (!pathname.startsWith("/docs/")) return next();
    const name = pathname.slice("/docs/".length);
    if (name === "init.js") return send(req, res, init);
    if (!Object.hasOwn(SWAGGER_UI_FILES, name)) return next();
    asset(name).then((loaded) => send(req, res, loaded), next);
  };
}

/**
 * For lazily loaded routes: the document needs every route module, so it is built (once) on the
 * first request for /openapi.json or /docs rather than at start-up.
 */
export function createLazyDocsMiddleware(
  build: () => Promise<ReturnType<typeof createDocsMiddleware>>,
) {
  let ready: Promise<ReturnType<typeof createDocsMiddleware>> | undefined;
  return function lazyDocs(
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    const url = req.url ?? "";
    if (!url.startsWith("/openapi.json") && !url.startsWith("/docs")) return next();
    ready ??= build();
    ready.then((docs) => docs(req, res, next), next);
  };
}
