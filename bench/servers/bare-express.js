// The baseline: bare Express 5 as its docs show it. GET /api/hello, POST /api/users with
// express.json(), and ROUTES=N extra routes registered before them (Express's router is linear).
"use strict";
const express = require("express");

const app = express();
const extra = Number(process.env.ROUTES ?? 0);
for (let i = 0; i < extra; i++) {
  const name = `r${String(i).padStart(4, "0")}`;
  app.get(`/api/${name}`, (_req, res) => res.json({ route: name }));
}
app.get("/api/hello", (_req, res) => res.json({ message: "Hello, World!" }));
app.post("/api/users", express.json(), (req, res) =>
  res.status(201).json({ message: "User created", user: req.body }),
);
app.listen(Number(process.env.PORT), "127.0.0.1");
