import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";
import { requireSystemPackage } from "../helpers/system-packages";

// Debian's chromium (npm test installs it, see scripts/ensure-system-packages.js): `npx playwright
// install` needs a download we do not allow.
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

let server: Spawned;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  requireSystemPackage("chromium");
  server = spawnProcess("node", [MAIN], { HOST: "127.0.0.1", PORT: "0", API_TOKENS: "docs-token" });
  origin = `http://127.0.0.1:${await waitForListening(server)}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopProcess(server);
});

describe("/docs in headless Chromium", () => {
  it("lists the sample routes, loading everything from the server itself, with no CSP violation or page error", async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const problems: string[] = [];
    page.on("request", (req) => requested.push(req.url()));
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    // Runs before the page's own scripts: records whatever the CSP blocks.
    await page.addInitScript({
      content: `window.cspViolations = [];
        document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));`,
    });

    const response = await page.goto(`${origin}/docs`, { timeout: 60_000 });
    expect(response?.status()).toBe(200);
    await page.waitForSelector(".opblock-summary-path", { timeout: 60_000 });

    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    const methods = await page.locator(".opblock-summary-method").allInnerTexts();
    const listed = paths.map((p, i) => `${methods[i]} ${p.replace(/\u200b/g, "").trim()}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        "GET /api/hello",
        "GET /api/users",
        "POST /api/users",
        "GET /api/users/{id}",
        "PATCH /api/users/{id}",
        "DELETE /api/users/{id}",
        "GET /api/admin/stats",
        "GET /api/secure-data",
      ]),
    );
    expect(await page.locator(".info .title").innerText()).toContain("nextpress");

    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toStrictEqual([]);
    expect(requested).toEqual(
      expect.arrayContaining([
        `${origin}/docs/swagger-ui-bundle.js`,
        `${origin}/docs/init.js`,
        `${origin}/openapi.json`,
      ]),
    );
    expect(await page.evaluate("window.cspViolations")).toStrictEqual([]);
    expect(problems).toStrictEqual([]);
    await page.close();
  }, 120_000);

  it("runs a request from the page (Try it out → Execute) against this server: a sign-up, kept by the database", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/docs#/users/createUser`, { timeout: 60_000 });
    const operation = page.locator("#operations-users-createUser");
    await operation.locator(".try-out__btn").click({ timeout: 60_000 });
    await operation.locator(".execute").click();
    const status = operation
      .locator(".live-responses-table .response .response-col_status")
      .first();
    await status.waitFor({ timeout: 60_000 });
    expect((await status.innerText()).trim()).toBe("201");
    expect(await operation.locator(".live-responses-table").innerText()).toContain(
      '"email": "ada@example.com"',
    );
    expect(await (await fetch(`${origin}/api/users`)).json()).toMatchObject({
      total: 1,
      users: [{ name: "Ada Lovelace", email: "ada@example.com" }],
    });
    await page.close();
  }, 120_000);
});
