// A small stand-in for the Hugging Face hub, enough for the catalog tests: answers
// /{owner}/{repo}/resolve/{rev}/{path} from a folder, on its own 127.0.0.1 port (so the page
// loads cross-origin), with CORS and single Range requests. h-net's mock hub adds the real
// hub's redirect to a second origin and its failure modes.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export function startHubLite(root) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'Range',
      'Access-Control-Expose-Headers': 'Content-Range, Accept-Ranges, Content-Length, ETag',
    };
    const url = new URL(req.url, 'http://localhost');
    requests.push({ method: req.method, path: decodeURIComponent(url.pathname), range: req.headers.range || null });
    if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(decodeURIComponent(url.pathname));
    const file = m && path.resolve(root, m[1], m[2]);
    if (!file || !file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { ...cors, 'Content-Type': 'text/plain' }); res.end('Entry not found'); return;
    }
    const size = fs.statSync(file).size;
    const r = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
    if (r) {
      const start = Number(r[1]), end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
      if (start > end) { res.writeHead(416, { ...cors, 'Content-Range': `bytes */${size}` }); res.end(); return; }
      res.writeHead(206, { ...cors, 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
      if (req.method === 'HEAD') { res.end(); return; }
      fs.createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...cors, 'Accept-Ranges': 'bytes', 'Content-Length': size });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}`, requests, stop: () => new Promise((r) => server.close(r)) });
  }));
}
