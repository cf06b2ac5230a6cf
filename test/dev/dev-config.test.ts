import path from "node:path";
import { loadConfig } from "../../src/config";
import { SOURCE_ROUTES_DIR, toDevEnv } from "../../src/dev/dev-config";
import { PROJECT_ROOT } from "../helpers/process";

describe("the dev server's configuration", () => {
  it("serves the routes/ source folder, not its build, when ROUTES_DIR is unset", () => {
    expect(SOURCE_ROUTES_DIR).toBe(path.join(PROJECT_ROOT, "routes"));
    expect(loadConfig(toDevEnv({})).routesDir).toBe(path.join(PROJECT_ROOT, "routes"));
    expect(loadConfig(toDevEnv({ ROUTES_DIR: " " })).routesDir).toBe(
      path.join(PROJECT_ROOT, "routes"),
    );
  });

  it("logs pretty unless LOG_FORMAT is set", () => {
    expect(loadConfig(toDevEnv({})).logFormat).toBe("pretty");
    expect(loadConfig(toDevEnv({ LOG_FORMAT: "json" })).logFormat).toBe("json");
  });

  it("keeps everything else as given", () => {
    const config = loadConfig(
      toDevEnv({ ROUTES_DIR: "test/fixtures/dev-basic", PORT: "4001", API_TOKENS: "a,b" }),
      PROJECT_ROOT,
    );
    expect(config.routesDir).toBe(path.join(PROJECT_ROOT, "test/fixtures/dev-basic"));
    expect(config.port).toBe(4001);
    expect(config.apiTokens).toEqual(["a", "b"]);
  });
});
