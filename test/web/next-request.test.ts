import http from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest, isNodeBacked } from "../../src/web/next-request";

/** Runs `handle` with a Node-backed NextRequest for one real HTTP request; returns what it returned. */
async function withRequest<T>(
  init: RequestInit & { path?: string },
  handle: (request: NextRequest) => Promise<T>,
  limit = { bytes: 1024, text: "1kb" },
): Promise<T> {
  let result: Promise<T> | undefined;
  const server = http.createServer((req, res) => {
    result = handle(NextRequest.fromNode(req, res, { limit }));
    result.then(
      () => res.end("ok"),
      () => res.end("failed"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fetch(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}${init.path ?? "/x?a=1"}`,
      init,
    );
    return await (result as Promise<T>);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("NextRequest built from Node's request", () => {
  it("is a Request, with Next's cookies and nextUrl", async () => {
    const seen = await withRequest(
      { headers: { cookie: "a=1; b=2", "x-one": "1" } },
      async (request) => ({
        isRequest: request instanceof Request,
        nodeBacked: isNodeBacked(request),
        url: request.url.replace(/:\d+/, ":PORT"),
        method: request.method,
        cookie: request.cookies.get("b")?.value,
        search: request.nextUrl.searchParams.get("a"),
        header: request.headers.get("x-one"),
        body: request.body,
        text: await request.text(),
      }),
    );
    expect(seen).toEqual({
      isRequest: true,
      nodeBacked: true,
      url: "http://127.0.0.1:PORT/x?a=1",
      method: "GET",
      cookie: "2",
      search: "1",
      header: "1",
      body: null,
      text: "",
    });
  });

  it("reads a body once: json, then bodyUsed, then a clear error", async () => {
    const seen = await withRequest(
      { method: "POST", body: JSON.stringify({ a: 1 }) },
      async (request) => {
        const before = request.bodyUsed;
        const json = await request.json();
        const error = await request.text().catch((e: Error) => e.message);
        return { before, json, after: request.bodyUsed, error };
      },
    );
    expect(seen).toEqual({
      before: false,
      json: { a: 1 },
      after: true,
      error: "Body is unusable: Body has already been read",
    });
  });

  it("clones into a real Request that reads the same body, the original still readable", async () => {
    const seen = await withRequest(
      { method: "POST", body: "same body", headers: { "x-h": "v" } },
      async (request) => {
        const copy = request.clone();
        return {
          nodeBacked: isNodeBacked(copy),
          copy: await copy.text(),
          original: await request.text(),
          header: copy.headers.get("x-h"),
        };
      },
    );
    expect(seen).toEqual({
      nodeBacked: false,
      copy: "same body",
      original: "same body",
      header: "v",
    });
  });

  it("parses form data and blobs as Request does", async () => {
    const form = new FormData();
    form.set("name", "Ada");
    const seen = await withRequest({ method: "POST", body: form }, async (request) =>
      (await request.formData()).get("name"),
    );
    expect(seen).toBe("Ada");
    const blob = await withRequest(
      { method: "POST", body: "bytes", headers: { "content-type": "text/plain" } },
      async (request) => {
        const b = await request.blob();
        return { type: b.type, text: await b.text() };
      },
    );
    expect(blob).toEqual({ type: "text/plain", text: "bytes" });
  });

  it("stops reading past the body limit, with a 413 error the runner answers", async () => {
    const error = await withRequest({ method: "POST", body: "x".repeat(2048) }, async (request) =>
      request.text().catch((e: Error & { statusCode?: number }) => [e.message, e.statusCode]),
    );
    expect(error).toEqual(["Body exceeded 1kb limit", 413]);
    const streamed = await withRequest(
      { method: "POST", body: "y".repeat(4096) },
      async (request) => {
        const reader = (request.body as ReadableStream<Uint8Array>).getReader();
        for (;;) {
          const step = await reader.read().catch((e: Error) => e);
          if (step instanceof Error) return step.message;
          if (step.done) return "read to the end";
        }
      },
    );
    expect(streamed).toBe("Body exceeded 1kb limit");
  });

  it("can be passed as the init of a new Request (as Auth.js does), headers and body included", async () => {
    const seen = await withRequest(
      { method: "POST", body: "carried", headers: { "x-h": "v" } },
      async (request) => {
        const rebuilt = new Request("http://elsewhere.test/y", request);
        return {
          url: rebuilt.url,
          method: rebuilt.method,
          header: rebuilt.headers.get("x-h"),
          text: await rebuilt.text(),
        };
      },
    );
    expect(seen).toEqual({
      url: "http://elsewhere.test/y",
      method: "POST",
      header: "v",
      text: "carried",
    });
  });
});

describe("NextRequest constructed by a user", () => {
  it("is a real Request with cookies and nextUrl, in tests and in code that builds one", async () => {
    const request = new NextRequest("https://example.test/a?b=1", {
      method: "POST",
      body: "hi",
      headers: { cookie: "c=3" },
    });
    expect(isNodeBacked(request)).toBe(false);
    expect(request.nextUrl.pathname).toBe("/a");
    expect(request.nextUrl.clone().searchParams.get("b")).toBe("1");
    expect(request.cookies.get("c")?.value).toBe("3");
    expect(new Request(request.clone()).url).toBe("https://example.test/a?b=1");
    expect(await request.clone().text()).toBe("hi");
    expect(await request.text()).toBe("hi");
  });
});
