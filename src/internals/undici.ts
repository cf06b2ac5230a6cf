// Where undici (Node 22's fetch) keeps a Response's internal state: a symbol described "state",
// whose `body.source` is the string or bytes the body was made from. Node 24 keeps it private.
// test/internals/undici.test.ts holds the shape relied on here.

const kState: symbol | undefined = Object.getOwnPropertySymbols(new Response("")).find(
  (symbol) => symbol.description === "state",
);

/**
 * The string or bytes undici built `response`'s body from (null: no body), when its state shows
 * them; undefined otherwise.
 */
export function undiciBodySource(response: Response): string | Uint8Array | null | undefined {
  if (!kState) return undefined;
  const state: unknown = Reflect.get(response, kState);
  if (typeof state !== "object" || state === null || !("status" in state)) return undefined;
  // No body: null, or (Node 22.23.5) no `body` key at all.
  const body: unknown = Reflect.get(state, "body");
  if (body === null || body === undefined) return null;
  if (typeof body !== "object" || body === undefined || !("source" in body)) return undefined;
  const source = body.source;
  return typeof source === "string" || source instanceof Uint8Array ? source : undefined;
}
