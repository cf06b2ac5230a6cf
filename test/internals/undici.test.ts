import { undiciBodySource } from "../../src/internals/undici";

// undici's Response state, where this Node shows it (Node 22; Node 24 keeps it private): if undici
// renames what is relied on, the first test fails on the Node that shows it.
const shown = Object.getOwnPropertySymbols(new Response("")).some(
  (symbol) => symbol.description === "state",
);

describe("undici's internals", () => {
  it("gives the string or bytes a body was made from where the state is shown, else nothing", () => {
    const expected = (value: unknown) => (shown ? value : undefined);
    expect(undiciBodySource(new Response('{"a":1}'))).toBe(expected('{"a":1}'));
    expect(undiciBodySource(new Response(new Uint8Array([1, 2])))).toEqual(
      expected(new Uint8Array([1, 2])),
    );
    expect(undiciBodySource(new Response(null))).toBe(expected(null));
  });

  it("knows nothing of a streamed body", () => {
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    expect(undiciBodySource(new Response(stream))).toBeUndefined();
  });
});
