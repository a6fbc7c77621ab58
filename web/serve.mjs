// Static file server for the app and the tests: loopback only, HTTP Range support (the
// direct .npz/.safetensors path reads byte ranges), and COOP/COEP headers so the page is
// cross-origin isolated and can use the threaded WASM build. --no-isolation leaves them off
// to exercise the single-thread fallback.
//   node web/serve.mjs [--port 8080|0] [--root public] [--no-isolation] [--mount /prefix=DIR]... [--log-requests]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = { port: 8080, root: 'public', isolation: true, mounts: [], logRequests: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--port') opt.port = Number(args[++i]);
  else if (a === '--root') opt.root = args[++i];
  else if (a === '--no-isolation') opt.isolation = false;
  else if (a === '--log-requests') opt.logRequests = true;  // tests check Range use
  else if (a === '--mount') { const [p, d] = args[++i].split('='); opt.mounts.push([p.replace(/\/$/, ''), d]); }
  else { console.error(`unknown argument ${a}`); process.exit(2); }
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.bin': 'application/octet-stream', '.npz': 'application/octet-stream', '.safetensors': 'application/octet-stream',
};

function resolve(urlPath) {
  let decoded;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  for (const [prefix, dir] of opt.mounts) {
    if (decoded === prefix || decoded.startsWith(prefix + '/')) return safeJoin(dir, decoded.slice(prefix.length));
  }
  return safeJoin(opt.root, decoded);
}
function safeJoin(dir, rel) {
  const base = path.resolve(dir);
  const full = path.resolve(base, '.' + (rel || '/'));
  return full === base || full.startsWith(base + path.sep) ? full : null;
}

function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header || '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start, end;
  if (m[1] === '') { start = Math.max(0, size - Number(m[2])); end = size - 1; }
  else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
  return start <= end && start < size ? { start, end } : 'invalid';
}

const server = http.createServer((req, res) => {
  const headers = { 'Cache-Control': 'no-cache', 'Accept-Ranges': 'bytes', 'Access-Control-Expose-Headers': 'Content-Range, Content-Length' };
  if (opt.isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    headers['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  const url = new URL(req.url, 'http://localhost');
  if (opt.logRequests) console.log(`request ${req.method} ${url.pathname} range=${req.headers.range || '-'}`);
  let file = resolve(url.pathname);
  if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!file || !fs.existsSync(file)) { res.writeHead(404, headers); res.end('not found'); return; }
  const size = fs.statSync(file).size;
  headers['Content-Type'] = TYPES[path.extname(file)] || 'application/octet-stream';
  const range = req.headers.range ? parseRange(req.headers.range, size) : null;
  if (range === 'invalid') { res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }); res.end(); return; }
  if (range) {
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': range.end - range.start + 1 });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file, range).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') { res.end(); return; }
  fs.createReadStream(file).pipe(res);
});

server.listen(opt.port, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`saematch-web: serving ${opt.root} on http://127.0.0.1:${port}/ (${opt.isolation ? 'cross-origin isolated: threaded WASM' : 'not isolated: single-thread WASM'})`);
});
