// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, run by jest's global setup
const { requireSystemPackage } = require("../../scripts/ensure-system-packages.js") as {
  requireSystemPackage: (name: string, packages?: unknown[]) => void;
};

const nginx = (installed: boolean) => ({
  name: "nginx-light",
  isInstalled: () => installed,
  neededBy: "the reverse-proxy tests",
});

describe("requireSystemPackage", () => {
  it("fails the test that needs a missing package with one line: the package and its install command", () => {
    let thrown: Error | undefined;
    try {
      requireSystemPackage("nginx-light", [nginx(false)]);
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toBe(
      "this test needs Debian's nginx-light (the reverse-proxy tests): run `sudo apt-get install -y nginx-light`, or run the tests as root to have it installed",
    );
    expect(thrown?.stack).toBe(thrown?.message);
  });

  it("lets the test run when the package is installed", () => {
    expect(() => requireSystemPackage("nginx-light", [nginx(true)])).not.toThrow();
  });
});
