// The ceiling for any Node server that runs Web handlers: bare node:http answering the same JSON
// as a string (/plain) and through a Web Response (/response: Response.json, its headers and
// body stream read back and written), in one process. No framework in either path.
"use strict";
/* global Response */
const http = require("node:http");

const message = { message: "Hello, World!" };

http
  .createServer(async (req, res) => {
    if (req.url === "/plain") {
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify(message));
    }
    const response = Response.json(message);
    for (const [name, value] of response.headers) res.setHeader(name, value);
    const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    res.end(Buffer.concat(chunks));
  })
  .listen(Number(process.env.PORT), process.env.HOST);
