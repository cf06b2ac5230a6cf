import type { NextApiRequest, NextApiResponse } from "nextpress";

const startedAt = Date.now();

// Protected by admin/_middleware.ts: only a request with a valid token gets here.
export function GET(req: NextApiRequest, res: NextApiResponse) {
  res.json({
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    tokenIndex: req.auth?.tokenIndex,
  });
}
