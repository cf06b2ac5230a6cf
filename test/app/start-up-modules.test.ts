import { execFileSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

// What loading the app costs before any route asks for more: the Web classes (next/server's
// NextRequest and NextResponse, which bring Node's fetch: about 7 MB and 0.2 s) wait for the first
// proxy file, external rewrite, multipart body or Web route.
describe("modules loaded with the app", () => {
  it("leaves the Web request and response classes unloaded until something needs them", () => {
    const script = [
      `require(${JSON.stringify(path.join(ROOT, "dist", "src", "app", "create-app.js"))});`,
      `const loaded = Object.keys(require.cache).map((file) => path.relative(${JSON.stringify(ROOT)}, file));`,
      `console.log(JSON.stringify(loaded.filter((file) => /web[\\\\/](next-request|next-response|write-response|read-multipart)\\.js$/.test(file))));`,
    ].join("\n");
    const out = execFileSync(
      process.execPath,
      ["-e", `const path = require("node:path");\n${script}`],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(JSON.parse(out)).toEqual([]);
  });
});
