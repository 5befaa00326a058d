// Serves the static export in out/ the way the gateway does, and proxies /api and /media to a
// running platform, for looking at the app without the gateway's static serving:
//   node scripts/serve.mjs [--port 3200] [--api http://127.0.0.1:3100]
import { createReadStream, statSync } from "node:fs";
import { request as httpRequest, createServer } from "node:http";
import { extname, join, normalize, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "3200" },
    api: { type: "string", default: process.env.OTT_API ?? "http://127.0.0.1:3100" },
  },
});
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "out");
const api = new URL(values.api);
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

function fileAt(path) {
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

function proxy(req, res) {
  const headers = { ...req.headers, host: api.host };
  if (headers.origin) headers.origin = api.origin;
  const upstream = httpRequest(
    { hostname: api.hostname, port: api.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_gateway", message: "The platform is not running", details: null } }));
  });
  req.pipe(upstream);
}

function serveStatic(req, res) {
  const url = new URL(req.url ?? "/", "http://x");
  const path = normalize(decodeURIComponent(url.pathname));
  if (path.includes("..")) {
    res.writeHead(400).end();
    return;
  }
  let file = fileAt(join(root, path));
  if (!file && path.endsWith("/")) file = fileAt(join(root, path, "index.html"));
  if (!file && !extname(path) && fileAt(join(root, path, "index.html"))) {
    res.writeHead(308, { location: `${url.pathname}/${url.search}` }).end();
    return;
  }
  const status = file ? 200 : 404;
  file ??= join(root, "404.html");
  const immutable = url.pathname.startsWith("/_next/static/");
  res.writeHead(status, {
    "content-type": types[extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  createReadStream(file).pipe(res);
}

createServer((req, res) => {
  const path = req.url ?? "/";
  if (path.startsWith("/api/") || path.startsWith("/media/")) proxy(req, res);
  else serveStatic(req, res);
}).listen(Number(values.port), "127.0.0.1", () => {
  console.log(`out/ on http://127.0.0.1:${values.port}, /api and /media from ${api.origin}`);
});
