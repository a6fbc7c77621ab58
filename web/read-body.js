// Reads a fetch Response body into one Uint8Array, reporting each chunk's size as it arrives
// (download progress). A classic script defining one global, so that both the page (a
// <script> tag, used by pack-loader.js) and the engine worker (importScripts, used by
// range-loader.js) share it.
/* exported readBody */
async function readBody(response, onBytes) {
  if (!response.body || !response.body.getReader) {
    const all = new Uint8Array(await response.arrayBuffer());
    if (onBytes) onBytes(all.length);
    return all;
  }
  const reader = response.body.getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value); n += value.length;
    if (onBytes) onBytes(value.length);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
