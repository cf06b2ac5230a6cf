import { Readable } from "node:stream";
import { isDisturbed, replaceReadableBody } from "../../src/internals/node-stream";

// node:stream's isDisturbed on a Web stream: if Node changes it, this fails.
describe("node:stream's internals", () => {
  it("tells a Web stream that was read from one that was not", async () => {
    const fresh = new Response("abc").body;
    const read = new Response("abc").body;
    if (!fresh || !read) throw new Error("a Response with a body has a stream");
    await read.getReader().read();
    expect([isDisturbed(fresh), isDisturbed(read)]).toEqual([false, true]);
  });

  it("gives a stream that was read to its end a new body, read by a consumer attached later", async () => {
    const stream = Readable.from([Buffer.from("first")], { objectMode: false });
    const ended = new Promise((resolve) => stream.on("end", resolve));
    stream.resume();
    await ended;
    replaceReadableBody(stream, Buffer.from("again"));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("again");
  });
});
