// A local stand-in for huggingface.co and its file CDN: two origins on 127.0.0.1, the way the
// real hub behaves for a browser (facts from the public huggingface.js / huggingface_hub source
// and observed response headers):
// - hub: /{org}/{repo}/resolve/{rev}/{path}. Small files (.json) are answered directly; LFS
//   files (.npz, .safetensors) get a 302 to the CDN with a signed query string, plus
//   X-Linked-Size / X-Linked-ETag / X-Repo-Commit. CORS echoes the Origin and exposes only
//   X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, X-Total-Count, ETag, Link,
//   Accept-Ranges, Content-Range, X-Linked-Size, X-Linked-ETag, X-Xet-Hash.
//   Errors: 401 RepoNotFound / GatedRepo, 404 EntryNotFound / RevisionNotFound, with
//   X-Error-Code and X-Error-Message; 429 and 5xx when a repo is configured to give them.
// - CDN: checks the signature, Access-Control-Allow-Origin: *, a single Range gives 206 with
//   Content-Range, HEAD works, preflights are answered. A repo marked noCors redirects to a
//   CDN path that sends no CORS headers at all; hideRanges, one that exposes no headers (so
//   Content-Range is unreadable, as on a bucket without Access-Control-Expose-Headers).
// repos: { 'org/name': { files: { 'path/in/repo': localFile }, gated, noCors, hideRanges, statuses: [429, …], always: 503 } }
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';

const EXPOSED = 'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash';
const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const SECRET = crypto.randomBytes(16);
const LFS = /\.(npz|safetensors|bin|npy)$/;

const sign = (p, expires) => crypto.createHmac('sha256', SECRET).update(`${p}|${expires}`).digest('hex');
const sha256File = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Serves one file: a single Range gives 206, anything else the whole file; HEAD has no body.
function sendFile(req, res, file, headers, entry) {
  const size = fs.statSync(file).size;
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
  if (m) {
    const start = Number(m[1]);
    const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start > end) { entry.status = 416; res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }); res.end(); return; }
    entry.status = 206;
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  entry.status = 200;
  res.writeHead(200, { ...headers, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
  if (req.method === 'HEAD') { res.end(); return; }
  fs.createReadStream(file).pipe(res);
}

export async function startMockHub({ repos }) {
  const log = [];
  const blobs = new Map();  // CDN object id -> local file
  const tries = new Map();  // path -> requests so far (for configured status sequences)
  let cdnOrigin = '';

  const hub = await listen((req, res) => {
    const url = new URL(req.url, 'http://hub');
    const entry = { server: 'hub', method: req.method, path: url.pathname, range: req.headers.range || null, status: 0 };
    log.push(entry);
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin || '*', Vary: 'Origin',
      'Access-Control-Expose-Headers': EXPOSED, 'X-Request-Id': `Root=1-${crypto.randomBytes(6).toString('hex')}`,
    };
    const fail = (status, code, message) => {
      entry.status = status;
      res.writeHead(status, { ...cors, 'Content-Type': 'text/plain; charset=utf-8', ...(code && { 'X-Error-Code': code }), 'X-Error-Message': message });
      res.end(message);
    };
    if (req.method === 'OPTIONS') {
      entry.status = 204;
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Allow-Headers': 'Range, Authorization, Content-Type', 'Access-Control-Max-Age': '86400' });
      res.end();
      return;
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(url.pathname));
    if (!m) { fail(404, null, 'Sorry, we can\'t find the page you are looking for.'); return; }
    const [, repoId, rev, file] = m;
    const repo = repos[repoId];
    if (!repo) { fail(401, 'RepoNotFound', 'Repository not found'); return; }
    if (repo.gated) { fail(401, 'GatedRepo', `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`); return; }
    const n = (tries.get(url.pathname) || 0) + 1;
    tries.set(url.pathname, n);
    if (repo.always) { fail(repo.always, null, repo.always === 429 ? 'Too Many Requests' : 'Service Unavailable'); return; }
    if (repo.statuses && n <= repo.statuses.length) { fail(repo.statuses[n - 1], null, 'Too Many Requests'); return; }
    if (rev !== 'main' && rev !== COMMIT) { fail(404, 'RevisionNotFound', `Invalid rev id: ${rev}`); return; }
    const local = repo.files[file];
    if (!local) { fail(404, 'EntryNotFound', 'Entry not found'); return; }
    const etag = `"${sha256File(local)}"`;
    const meta = { ...cors, 'X-Repo-Commit': COMMIT, ETag: etag };
    if (!LFS.test(file)) { sendFile(req, res, local, { ...meta, 'Content-Type': 'application/json' }, entry); return; }
    const id = `${etag.slice(1, 17)}${repo.noCors ? '-nocors' : ''}${repo.hideRanges ? '-hidden' : ''}`;
    blobs.set(id, { local, noCors: !!repo.noCors, hideRanges: !!repo.hideRanges });
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const objectPath = `/repos/${Buffer.from(repoId).toString('hex').slice(0, 12)}/${id}`;
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=MOCK%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=${sign(objectPath, expires)}`;
    entry.status = 302;
    res.writeHead(302, {
      ...meta, Location: `${cdnOrigin}${objectPath}?${query}`,
      'X-Linked-Size': String(fs.statSync(local).size), 'X-Linked-ETag': etag, 'Content-Length': 0,
    });
    res.end();
  });

  const cdn = await listen((req, res) => {
    const url = new URL(req.url, 'http://cdn');
    const entry = { server: 'cdn', method: req.method, path: url.pathname, signed: url.searchParams.has('X-Amz-Signature'), range: req.headers.range || null, origin: req.headers.origin || null, status: 0 };
    log.push(entry);
    const id = url.pathname.split('/').pop();
    const blob = blobs.get(id);
    const cors = blob && blob.noCors ? {} : {
      'Access-Control-Allow-Origin': '*', ...(!(blob && blob.hideRanges) && { 'Access-Control-Expose-Headers': 'Accept-Ranges,Content-Range,ETag' }),
    };
    if (req.method === 'OPTIONS') {
      entry.status = 204;
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Range', 'Access-Control-Max-Age': '86400' });
      res.end();
      return;
    }
    const expires = Number(url.searchParams.get('X-Amz-Expires'));
    if (!blob || url.searchParams.get('X-Amz-Signature') !== sign(url.pathname, expires) || expires < Date.now() / 1000) {
      entry.status = 403;
      res.writeHead(403, { ...cors, 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    sendFile(req, res, blob.local, { ...cors, 'Content-Type': 'application/octet-stream', ETag: `"${id}"`, 'Cache-Control': 'public, max-age=604800, immutable' }, entry);
  });

  cdnOrigin = `http://127.0.0.1:${cdn.address().port}`;
  const stop = () => Promise.all([hub, cdn].map((s) => new Promise((done) => { s.closeAllConnections(); s.close(() => done()); })));
  return { hubUrl: `http://127.0.0.1:${hub.address().port}/`, cdnUrl: `${cdnOrigin}/`, log, tries, stop };
}
