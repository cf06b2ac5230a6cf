import path from "node:path";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, as `node scripts/count-casts.js` runs it
const { MAX_PER_KLOC, countCasts, countInText } = require("../../scripts/count-casts.js") as {
  MAX_PER_KLOC: number;
  countCasts: (dir: string) => { casts: number; lines: number; perKloc: number };
  countInText: (text: string, name?: string) => number;
};

describe("type assertions in src/", () => {
  it("counts `as T` and `<T>x`, each `as` of `as unknown as T`, and never `as const`", () => {
    expect(countInText("const a = b as string;")).toBe(1);
    expect(countInText("const a = <string>b;")).toBe(1);
    expect(countInText("const a = b as unknown as string;")).toBe(2);
    expect(countInText("const a = [1] as const;")).toBe(0);
    expect(countInText("const a: string = b satisfies string;")).toBe(0);
  });

  it(`keeps src/ at ${MAX_PER_KLOC} per 1,000 lines or fewer: narrow, do not assert`, () => {
    const { perKloc } = countCasts(path.join(__dirname, "..", "..", "src"));
    expect(perKloc).toBeLessThanOrEqual(MAX_PER_KLOC);
  });
});
