import http from "node:http";
import type { AddressInfo } from "node:net";
import { createDocsMiddleware } from "../../src/openapi/docs-middleware";
import type { OpenApiDocument } from "../../src/openapi/document";

/** A document that counts how often it is serialised. */
function countingDocument(): { document: OpenApiDocument; serialised: () => number } {
  let count = 0;
  const plain: OpenApiDocument = {
    openapi: "3.1.0",
    info: { title: "Counted", version: "1.0.0", description: "", contact: { name: "test" } },
    servers: [],
    tags: [],
    paths: {},
    components: {},
  };
  const document = {
    ...plain,
    toJSON() {
      count++;
      return plain;
    },
  };
  return { document, serialised: () => count };
}

describe("the OpenAPI document's serialisation", () => {
  it("happens on the first GET /openapi.json, not at start-up, and once", async () => {
    const { document, serialised } = countingDocument();
    const docs = createDocsMiddleware(document);
    expect(serialised()).toBe(0);
    const server = http.createServer((req, res) =>
      docs(req, res, () => {
        res.statusCode = 404;
        res.end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ openapi: "3.1.0", info: { title: "Counted" } });
      const second = await fetch(url);
      expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
      expect(await second.text()).toBe(JSON.stringify(await (await fetch(url)).json()));
      expect(serialised()).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
