import { Writable } from "node:stream";
import pino from "pino";
import { createLineWriter } from "../../src/http/log-line";
import { createLogger } from "../../src/logger";

/** A destination that keeps every line written to it. */
function capture(): { stream: Writable & { write(line: string): boolean }; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines };
}

const FIELDS = [
  {
    reqId: "7f0c2d1e-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
    method: "GET",
    url: "/api/hello",
    status: 200,
    durationMs: 0.512,
    remoteAddress: "127.0.0.1",
    aborted: undefined,
    route: undefined,
    trace_id: undefined,
    span_id: undefined,
  },
  {
    reqId: "client-id",
    method: "POST",
    url: '/api/a?q="quoted"\\back\nline\u0001\u2028é',
    status: 499,
    durationMs: Infinity,
    remoteAddress: undefined,
    aborted: true,
    route: "users/[id].ts",
    trace_id: "0af7651916cd43dd8448eb211c80319c",
    span_id: "b7ad6b7169203331",
  },
];

describe("createLineWriter", () => {
  it.each(FIELDS.map((fields) => [fields.method, fields]))(
    "writes pino's own line for %s, byte for byte (time aside)",
    (_method, fields) => {
      const ours = capture();
      const theirs = capture();
      createLineWriter(createLogger("info", ours.stream), "request completed")("info", fields);
      createLogger("info", theirs.stream).info(fields, "request completed");
      const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');
      expect(ours.lines).toHaveLength(1);
      expect(withoutTime(ours.lines[0])).toBe(withoutTime(theirs.lines[0]));
      expect(JSON.parse(ours.lines[0])).toMatchObject({ level: 30, msg: "request completed" });
    },
  );

  it("writes nothing below the logger's level, and follows a level changed later", () => {
    const { stream, lines } = capture();
    const logger = createLogger("info", stream);
    const write = createLineWriter(logger, "request completed");
    write("debug", { status: 200 });
    expect(lines).toHaveLength(0);
    logger.level = "debug";
    write("debug", { status: 200 });
    expect(JSON.parse(lines[0])).toMatchObject({ level: 20, status: 200 });
  });

  it("goes through pino for a logger with a mixin (its fields join the line)", () => {
    const { stream, lines } = capture();
    const logger = createLogger("info", stream, "json", () => ({ trace_id: "t1" }));
    createLineWriter(logger, "request completed")("info", { status: 201 });
    expect(JSON.parse(lines[0])).toMatchObject({ trace_id: "t1", status: 201 });
  });

  it("goes through pino for a logger it did not make (custom formatters)", () => {
    const { stream, lines } = capture();
    const logger = pino({ messageKey: "message" }, stream);
    createLineWriter(logger, "request completed")("info", { status: 204 });
    expect(JSON.parse(lines[0])).toMatchObject({ message: "request completed", status: 204 });
  });
});
