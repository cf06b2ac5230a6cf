import { parseRate } from "../src/rate";

describe("parseRate", () => {
  it.each([
    ["100/1m", { limit: 100, windowMs: 60_000, text: "100/1m" }],
    ["100/m", { limit: 100, windowMs: 60_000, text: "100/1m" }],
    ["10/30s", { limit: 10, windowMs: 30_000, text: "10/30s" }],
    [" 1000 / 1H ", { limit: 1000, windowMs: 3_600_000, text: "1000/1h" }],
    ["5/15m", { limit: 5, windowMs: 900_000, text: "5/15m" }],
  ])("%s → %j", (text, rate) => expect(parseRate(text)).toEqual(rate));

  it.each(["100", "100/1d", "100/0m", "0/1m", "-1/1m", "1.5/1m", "100/1 minute", "", "100/600h"])(
    "refuses %j",
    (text) => {
      expect(parseRate(text)).toBeUndefined();
    },
  );
});
