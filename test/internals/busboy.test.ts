import Busboy from "@fastify/busboy";
import { partHeaderParser } from "../../src/internals/busboy";

// @fastify/busboy's Dicer and part-header parser: if busboy changes them, this fails.
describe("@fastify/busboy's internals", () => {
  it("reaches the part-header parser, which takes a header block and emits the part's header", async () => {
    const busboy = Busboy({ headers: { "content-type": "multipart/form-data; boundary=b" } });
    const { dicer, parser } = partHeaderParser(busboy);
    const headers = new Promise<unknown>((resolve) =>
      dicer.on("part", (part: NodeJS.EventEmitter) => part.once("header", resolve)),
    );
    const seen: number[] = [];
    const push = parser.push.bind(parser);
    parser.push = (data) => {
      seen.push(data.length);
      return push(data);
    };
    const fields: string[] = [];
    busboy.on("field", (name: string, value: string) => fields.push(`${name}=${value}`));
    const done = new Promise((resolve) => busboy.on("finish", resolve));
    busboy.end('--b\r\ncontent-disposition: form-data; name="a"\r\n\r\nvalue\r\n--b--\r\n');
    await done;
    expect(await headers).toEqual({ "content-disposition": ['form-data; name="a"'] });
    expect(seen.length).toBeGreaterThan(0);
    expect(fields).toEqual(["a=value"]);
  });
});
