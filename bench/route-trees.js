// Generated route trees for the scaling and start-up measurements, in a temp folder (never in
// the repo): N static files r0000.js … or N dynamic folders d0000/[id].js …, compiled-style CommonJS.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const pad = (i) => String(i).padStart(4, "0");

function handlerSource(label) {
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    `exports.default = function handler(req, res) { res.status(200).json({ route: ${JSON.stringify(label)}, id: req.query.id }); };`,
    "",
  ].join("\n");
}

/** Writes a tree of `count` routes; returns its folder and the URL of the last file in sort order. */
function writeRouteTree(root, kind, count) {
  const dir = path.join(root, `${kind}-${count}`);
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    if (kind === "static") fs.writeFileSync(path.join(dir, `r${pad(i)}.js`), handlerSource(`r${pad(i)}`));
    else {
      fs.mkdirSync(path.join(dir, `d${pad(i)}`));
      fs.writeFileSync(path.join(dir, `d${pad(i)}`, "[id].js"), handlerSource(`d${pad(i)}`));
    }
  }
  const last = pad(count - 1);
  return { dir, url: kind === "static" ? `/api/r${last}` : `/api/d${last}/42` };
}

function makeTempRoot() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-bench-"));
}

module.exports = { writeRouteTree, makeTempRoot };
