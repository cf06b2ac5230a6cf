import { authenticate, type NextApiRequest, type NextApiResponse } from "nextpress";

// The Next.js guide's style: call the middleware inline; the callback runs only for a valid token.
export default function handler(req: NextApiRequest, res: NextApiResponse) {
  authenticate(req, res, () => {
    res.status(200).json({ message: "This is protected data", data: { secret: 42 } });
  });
}
