import { startDeployedNginx, type Nginx } from "../helpers/nginx";
import { startHostileServer, type HostileServer } from "../hostile/support";

// A route handler's server-sent events through the shipped deploy/nginx.conf: each event reaches
// the client as it is produced, not all at once when the stream ends. nextpress also marks event
// streams `X-Accel-Buffering: no`, which keeps nginx from holding them in its buffers whatever
// else its configuration says (gzip, a larger proxy_buffer_size, a slow client).

let server: HostileServer;
let nginx: Nginx;

beforeAll(async () => {
  server = await startHostileServer("web-app/routes", { TRUST_PROXY: "1" });
  nginx = await startDeployedNginx([server.port]);
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  if (server) expect(await server.stop()).toBe(0);
});

async function arrivals(
  port: number,
): Promise<{ times: number[]; text: string; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}/advanced/streaming?count=4&every=250`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const times: number[] = [];
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    times.push(Date.now());
    text += Buffer.from(value).toString();
  }
  return { times, text, headers: res.headers };
}

it("passes each event through nginx as it is produced", async () => {
  const { times, text, headers } = await arrivals(nginx.port);
  expect(headers.get("content-type")).toBe("text/event-stream");
  expect(text.match(/^data: /gm)).toHaveLength(4);
  // Four events 250 ms apart: they come in at least three separate reads spread over ~750 ms.
  expect(times.length).toBeGreaterThanOrEqual(3);
  expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(500);
});

it("says X-Accel-Buffering: no on an event stream, and nothing of the kind on other answers", async () => {
  const direct = await fetch(`http://127.0.0.1:${server.port}/advanced/streaming?count=1`);
  expect(direct.headers.get("x-accel-buffering")).toBe("no");
  await direct.text();
  expect(
    (await fetch(`http://127.0.0.1:${server.port}/basic/endpoint`)).headers.get(
      "x-accel-buffering",
    ),
  ).toBeNull();
});
