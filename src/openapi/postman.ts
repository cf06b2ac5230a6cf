import { ConfigError, errorCode } from "../errors";
import type { OpenApiDocument, PathItem } from "./document";
import type { PostmanCollection, PostmanItem } from "./postman-collection";
import { applyLinks } from "./postman-flow";

export type { PostmanCollection, PostmanItem } from "./postman-collection";

interface ConversionResult {
  result: boolean;
  reason?: string;
  output?: { type: string; data: PostmanCollection }[];
}

interface Converter {
  convertV2(
    input: { type: "json"; data: unknown },
    options: Record<string, unknown>,
    done: (error: Error | null, result: ConversionResult) => void,
  ): void;
}

function loadConverter(): Converter {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev tool loaded only by `nextpress postman`, so production installs need not carry it.
    return require("openapi-to-postmanv2") as Converter;
  } catch (error) {
    if (errorCode(error) !== "MODULE_NOT_FOUND") throw error;
    throw new ConfigError(
      "`nextpress postman` needs Postman's converter: npm install --save-dev openapi-to-postmanv2",
    );
  }
}

/**
 * Runs after every request: the status must be one the document lists for it (`2XX` a range,
 * `default` any status below 500). Converted collections assert nothing, so a 500 would pass.
 */
function statusTest(expected: Record<string, string[]>): string[] {
  return [
    `var documented = ${JSON.stringify(expected)};`,
    "var key = pm.info.requestName;",
    "pm.test('answers a documented status (' + key + ')', function () {",
    "  var statuses = documented[key];",
    "  pm.expect(statuses, 'the document has no responses for ' + key).to.be.an('array');",
    "  var code = pm.response.code;",
    "  var ok = statuses.some(function (s) {",
    "    if (s === 'default') return code < 500;",
    "    if (/^[1-5]XX$/.test(s)) return Math.floor(code / 100) === Number(s.charAt(0));",
    "    return Number(s) === code;",
    "  });",
    "  pm.expect(ok, 'status ' + code + ' is not one of ' + statuses.join(', ')).to.equal(true);",
    "});",
  ];
}

function* requests(items: readonly PostmanItem[]): Generator<PostmanItem> {
  for (const item of items) {
    if (item.request) yield item;
    if (item.item) yield* requests(item.item);
  }
}

interface FormEntry {
  key: string;
  type?: string;
  src?: string;
  contentType?: string;
}

/**
 * A file field (the converter marks it with the encoding's content types) becomes a file upload:
 * `src` is a file named as the field in newman's `--working-dir` (Postman: pick one), sent with the
 * first content type the schema allows.
 */
function sendFiles(body: unknown): void {
  const form = body as { mode?: string; formdata?: FormEntry[] } | undefined;
  if (form?.mode !== "formdata") return;
  for (const entry of form.formdata ?? []) {
    if (entry.contentType === undefined) continue;
    entry.type = "file";
    entry.src = entry.key;
    entry.contentType = entry.contentType.split(",")[0].trim();
  }
}

/**
 * A Postman v2.1 collection of the document, converted by Postman's own openapi-to-postmanv2:
 * folders by tag, example bodies, `{{baseUrl}}` (default `baseUrl`) and `{{token}}` for the Bearer
 * routes, requests named by summary or `METHOD /path`, and a collection-level test that every
 * response has a documented status. OpenAPI links make a flow: the request that creates runs
 * first and hands the created id (`{{createUser.id}}`) to the requests that use it.
 *
 * @example
 * const collection = await toPostmanCollection(document, "http://localhost:3000");
 */
export async function toPostmanCollection(
  document: OpenApiDocument,
  baseUrl: string,
): Promise<PostmanCollection> {
  const converter = loadConverter();
  const options = {
    folderStrategy: "Tags",
    parametersResolution: "Example",
    requestNameSource: "Fallback",
    enableOptionalParameters: true,
  };
  const result = await new Promise<ConversionResult>((resolve, reject) => {
    // A copy: the converter resolves $refs in place.
    const data: unknown = JSON.parse(JSON.stringify(document));
    converter.convertV2({ type: "json", data }, options, (error, converted) =>
      error ? reject(error) : resolve(converted),
    );
  });
  const collection = result.output?.[0]?.data;
  if (!result.result || !collection)
    throw new Error(
      `openapi-to-postmanv2 could not convert the document: ${result.reason ?? "no output"}`,
    );

  // By request name (the test sees the URL with its variables filled in): names are made unique here.
  const expected: Record<string, string[]> = {};
  const operations = new Map<PostmanItem, string>();
  for (const item of requests(collection.item)) {
    const request = item.request as NonNullable<PostmanItem["request"]>;
    const path = `/${(request.url.path ?? []).map((s) => (s.startsWith(":") ? `{${s.slice(1)}}` : s)).join("/")}`;
    const operation = document.paths[path]?.[request.method.toLowerCase() as keyof PathItem];
    const plain = `${request.method} ${path}`;
    const name = operation?.summary && !(operation.summary in expected) ? operation.summary : plain;
    item.name = name;
    request.name = name;
    expected[name] = operation ? Object.keys(operation.responses) : [];
    if (operation) operations.set(item, operation.operationId);
    sendFiles(request.body);
    if (request.auth?.type === "bearer")
      request.auth.bearer = [{ key: "token", value: "{{token}}" }];
    // The converter invents a value for an optional query parameter with no example: send none.
    const exampled = new Set(
      (operation?.parameters ?? [])
        .filter((p) => p.in === "query" && (p.required || p.example !== undefined))
        .map((p) => p.name),
    );
    for (const entry of (request.url.query as { key: string; disabled?: boolean }[] | undefined) ??
      [])
      if (!exampled.has(entry.key)) entry.disabled = true;
  }
  collection.variable = [
    {
      key: "baseUrl",
      value: baseUrl,
      description: "Where the API runs, e.g. http://localhost:3000",
    },
    {
      key: "token",
      value: "",
      description: "A Bearer token from API_TOKENS, for the routes behind authenticate",
    },
  ];
  applyLinks(collection, document, (item) => operations.get(item));
  collection.event = [
    { listen: "test", script: { type: "text/javascript", exec: statusTest(expected) } },
  ];
  return collection;
}
