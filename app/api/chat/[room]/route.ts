import { NextResponse, type NextRequest } from "next/server";

// A chat room per path, as Next's WebSocket route handlers write one (served with WEBSOCKETS=on):
// every message goes to the room's other members, with REDIS_URL on every replica too.
//   node -e 'const s=new WebSocket("ws://localhost:3000/api/chat/lobby?name=ada");s.onmessage=e=>console.log(e.data);s.onopen=()=>s.send("hi")'
export async function GET(request: NextRequest, { params }: { params: Promise<{ room: string }> }) {
  const { room } = await params;
  const name = request.nextUrl.searchParams.get("name")?.slice(0, 40) || "anonymous";
  return NextResponse.upgrade({
    open(peer) {
      peer.subscribe(room);
      peer.send({ type: "welcome", room, name });
      peer.publish(room, { type: "joined", name });
    },
    message(peer, message) {
      peer.publish(room, { type: "message", name, text: message.text().slice(0, 2000) });
    },
    close(peer) {
      peer.publish(room, { type: "left", name });
    },
  });
}
