import path from "node:path";
import { readDatabaseSettings } from "../../routes/_lib/settings";

describe("the sample's database settings (routes/_lib/settings.ts)", () => {
  it.each([
    [{}, { engine: "sqlite", dataDir: "/srv/app/data" }],
    [{ DATA_DIR: "state/db" }, { engine: "sqlite", dataDir: "/srv/app/state/db" }],
    [
      { DATA_DIR: "/var/lib/users", DATABASE_URL: " " },
      { engine: "sqlite", dataDir: "/var/lib/users" },
    ],
    [
      { DATABASE_URL: "postgres://app:secret@db:5432/app" },
      { engine: "postgres", url: "postgres://app:secret@db:5432/app" },
    ],
    [
      { DATABASE_URL: "postgresql://db/app", DATA_DIR: "ignored" },
      { engine: "postgres", url: "postgresql://db/app" },
    ],
  ])("%j → %j", (env, settings) => {
    expect(readDatabaseSettings(env, "/srv/app")).toEqual(settings);
  });

  it("defaults DATA_DIR to ./data in the working directory", () => {
    expect(readDatabaseSettings({})).toEqual({ engine: "sqlite", dataDir: path.resolve("data") });
  });

  it.each(["mysql://app:hunter2@db/app", "hunter2", "http://db:5432/app"])(
    "refuses DATABASE_URL=%s naming the variable, never its value",
    (url) => {
      expect(() => readDatabaseSettings({ DATABASE_URL: url })).toThrow(
        /^Invalid database configuration:\n {2}DATABASE_URL: expected postgres:\/\/user:password@host:5432\/database$/,
      );
      expect(() => readDatabaseSettings({ DATABASE_URL: url })).not.toThrow(/hunter2/);
    },
  );
});
