import type { NextApiRequest, NextApiResponse } from "nextpress";

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return res.status(405).json({ message: "Method Not Allowed" });
  }
  // Route params arrive in req.query, as in Next.
  res.status(200).json({ id: req.query.id });
}
