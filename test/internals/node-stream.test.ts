import { isDisturbed } from "../../src/internals/node-stream";

// node:stream's isDisturbed on a Web stream: if Node changes it, this fails.
describe("node:stream's internals", () => {
  it("tells a Web stream that was read from one that was not", async () => {
    const fresh = new Response("abc").body;
    const read = new Response("abc").body;
    if (!fresh || !read) throw new Error("a Response with a body has a stream");
    await read.getReader().read();
    expect([isDisturbed(fresh), isDisturbed(read)]).toEqual([false, true]);
  });
});
