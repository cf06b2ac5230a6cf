import { chromium, type Browser } from "playwright-core";
import { requireSystemPackage } from "../helpers/system-packages";
import { startHostileServer, type HostileServer } from "../hostile/support";

// An HTML page a handler sends on purpose (shaped like graphql-yoga's GraphiQL: inline script and
// styles, a fetch to the API), unchanged from Next, works in a real browser: its script runs with
// no CSP violation. Fixture: test/fixtures/html-page. Chromium from Debian, as docs-page.test.ts.

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];

let server: HostileServer;
let browser: Browser;

beforeAll(async () => {
  requireSystemPackage("chromium");
  server = await startHostileServer("html-page/routes", { LOG_LEVEL: "info" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(path: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // A failed load is reported by URL below (the browser asks for /favicon.ico on its own).
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400 && url.pathname !== "/favicon.ico")
      problems.push(`${response.status()} ${url.pathname}`);
  });
  await page.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (e) => console.error("csp " + e.violatedDirective));`,
  });
  await page.goto(server.url(path), { timeout: 60_000 });
  return { page, problems };
}

describe("an HTML page in headless Chromium", () => {
  it("a GraphiQL-like page runs its inline script, fetches the API and gets its inline styles", async () => {
    const { page, problems } = await open("/api/graphiql");
    // Strings: they run in the page, where the DOM's names exist (not in this file's types).
    await page.waitForFunction(
      `document.getElementById("root")?.textContent === "rendered true"`,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const color = await page.evaluate(`getComputedStyle(document.getElementById("root")).color`);
    expect(color).toBe("rgb(1, 2, 3)");
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it("an app route's HTML runs its script too", async () => {
    const { page, problems } = await open("/web-page");
    await page.waitForFunction(
      `document.getElementById("x")?.textContent === "web ran"`,
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
