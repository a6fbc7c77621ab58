// A static server that misbehaves on purpose, for the adversarial browser suite. It serves the
// app (public/, cross-origin isolated like web/serve.mjs) and mounted folders; a path
//   /fault/{mode}@{file}/rest/of/path   (prefixes can be chained: /fault/a@x/fault/b@y/…)
// serves rest/of/path, and answers requests for the file named {file} in the given mode:
//   drop          Content-Length of the whole file, half the body, then the connection is reset
//   stall         headers and half the body, then nothing (the connection stays open)
//   hang          no answer at all
//   slow          the whole file in 4 KiB pieces every 10 ms
//   ignore-range  200 with the whole file, whatever Range asks
//   whole206      206 with the whole file (Content-Range says so) to any Range request
//   wrong206      206 with as many bytes as asked, but from offset 0 (Content-Range says so)
//   short-length  Content-Length of half the file, the whole file sent
//   long-length   Content-Length of twice the file, the file sent, then the connection closes
//   endless       200 without Content-Length, junk bytes until the client goes away
//   huge          200 announcing 5 GB, then junk bytes until the client goes away
// Every request is logged with the bytes actually sent, so tests can bound what a client read.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const JUNK = Buffer.alloc(64 * 1024, 0x5a);
const JUNK_CAP = 2 * 1024 ** 3;  // even a broken client stops getting junk after 2 GB

function rangeOf(header, size) {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header || '');
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start <= end ? { start, end } : null;
}

export function startFaultServer({ root, mounts = [] }) {
  const log = [];
  const open = new Set();  // responses still in progress (hang, stall, endless)

  function resolve(p) {
    for (const [prefix, dir] of mounts) if (p.startsWith(prefix + '/')) return path.join(dir, p.slice(prefix.length));
    return path.join(root, p);
  }

  // Writes junk until the client closes (or the cap); counts what went out.
  function pour(res, entry) {
    const more = () => {
      while (!res.destroyed && entry.sent < JUNK_CAP) {
        entry.sent += JUNK.length;
        if (!res.write(JUNK)) { res.once('drain', more); return; }
      }
      if (!res.destroyed) res.end();
    };
    more();
  }

  function serveFault(mode, req, res, file, size, headers, entry) {
    const body = fs.readFileSync(file);
    const half = body.subarray(0, Math.floor(size / 2));
    // Bytes straight onto the socket: Node's own writer would refuse a wrong Content-Length.
    const raw = (length) => {
      const all = { ...headers, 'Content-Length': length, Connection: 'close' };
      req.socket.write(`HTTP/1.1 200 OK\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
      req.socket.write(body);
      entry.sent += body.length;
      req.socket.end();
    };
    switch (mode) {
      case 'drop':
        res.writeHead(200, { ...headers, 'Content-Length': size });
        res.write(half, () => setTimeout(() => req.socket.destroy(), 50));
        entry.sent += half.length;
        return;
      case 'stall':
        res.writeHead(200, { ...headers, 'Content-Length': size });
        res.write(half);
        entry.sent += half.length;
        return;
      case 'hang': return;
      case 'slow': {
        res.writeHead(200, { ...headers, 'Content-Length': size });
        let o = 0;
        const tick = () => {
          if (res.destroyed) return;
          const piece = body.subarray(o, o + 4096);
          o += piece.length; entry.sent += piece.length;
          if (o >= size) res.end(piece); else { res.write(piece); setTimeout(tick, 10); }
        };
        tick();
        return;
      }
      case 'ignore-range':
        res.writeHead(200, { ...headers, 'Content-Length': size });
        entry.sent += size;
        res.end(body);
        return;
      case 'whole206':
        if (!req.headers.range) { res.writeHead(200, { ...headers, 'Content-Length': size }); entry.sent += size; res.end(body); return; }
        res.writeHead(206, { ...headers, 'Content-Length': size, 'Content-Range': `bytes 0-${size - 1}/${size}` });
        entry.sent += size;
        res.end(body);
        return;
      case 'wrong206': {
        const r = rangeOf(req.headers.range, size) || { start: 0, end: size - 1 };
        const len = r.end - r.start + 1;
        res.writeHead(206, { ...headers, 'Content-Length': len, 'Content-Range': `bytes 0-${len - 1}/${size}` });
        entry.sent += len;
        res.end(body.subarray(0, len));
        return;
      }
      case 'short-length': raw(half.length); return;
      case 'long-length': raw(2 * size); return;
      case 'endless':
        res.writeHead(200, headers);
        pour(res, entry);
        return;
      case 'huge':
        res.writeHead(200, { ...headers, 'Content-Length': 5e9 });
        pour(res, entry);
        return;
      default:
        res.writeHead(400, headers); res.end(`unknown fault mode ${mode}`);
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let p;
    try { p = decodeURIComponent(url.pathname); } catch { res.writeHead(400); res.end(); return; }
    const faults = new Map();  // file name -> mode; several /fault/… prefixes may be chained
    for (let m; (m = /^\/fault\/([a-z0-9-]+)@([^/]+)(\/.*)$/.exec(p));) { faults.set(m[2], m[1]); p = m[3]; }
    const entry = { method: req.method, path: url.pathname, range: req.headers.range || null, mode: null, sent: 0, closed: false };
    log.push(entry);
    open.add(res);
    res.on('close', () => { entry.closed = true; open.delete(res); });
    const headers = {
      'Cache-Control': 'no-cache', 'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin',
    };
    let file = resolve(p.endsWith('/') ? p + 'index.html' : p);
    if (!file.startsWith(path.resolve(root)) && !mounts.some(([, d]) => file.startsWith(path.resolve(d)))) file = null;
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404, headers); res.end('not found'); return; }
    const size = fs.statSync(file).size;
    const ext = path.extname(file);
    headers['Content-Type'] = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' }[ext] || 'application/octet-stream';
    const mode = faults.get(path.basename(file));
    if (mode) { entry.mode = mode; serveFault(mode, req, res, file, size, headers, entry); return; }
    const r = rangeOf(req.headers.range, size);
    if (r) {
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${r.start}-${r.end}/${size}`, 'Content-Length': r.end - r.start + 1 });
      entry.sent += r.end - r.start + 1;
      fs.createReadStream(file, r).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    entry.sent += size;
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file).pipe(res);
  });

  return new Promise((resolveStart) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      resolveStart({
        url, log,
        requestsFor: (name) => log.filter((e) => e.path.endsWith('/' + name)),
        stop: () => new Promise((done) => {
          for (const res of open) res.destroy();
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
