import { NextResponse, type NextRequest } from "next/server";

// An app-router route handler, as a Next 15+ project writes it: GET /api/greet/Ada?shout=1
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const message = `Hello, ${name}!`;
  return NextResponse.json({
    message: request.nextUrl.searchParams.get("shout") === "1" ? message.toUpperCase() : message,
  });
}
