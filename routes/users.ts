import type { NextApiRequest, NextApiResponse } from "nextpress";

interface User {
  name: string;
  email: string;
}

const isNonEmptyString = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== "POST") {
    res.setHeader("Allow", "POST");
    return res.status(405).json({ message: "Method Not Allowed" });
  }
  const { name, email } = (req.body ?? {}) as Partial<User>;
  if (!isNonEmptyString(name) || !isNonEmptyString(email)) {
    return res.status(400).json({ message: "name and email are required strings" });
  }
  const user: User = { name, email };
  res.status(201).json({ message: "User created", user });
}
