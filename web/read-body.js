// Reads a fetch Response body into one Uint8Array, reporting each chunk's size as it arrives
// (download progress). Bounded, because servers lie: a body longer than `limit` is refused as
// soon as byte limit+1 arrives (never read whole), a body that sends nothing for `stallMs` is
// given up, and an abort `signal` stops it at once. Failures are Errors with a `code`
// ('too-long', 'stalled', 'dropped', 'cancelled') that net/fetch-policy.js turns into sentences.
// A classic script defining one global, so that both the page (a <script> tag) and the engine
// worker (importScripts) share it.
/* exported readBody */
async function readBody(response, onBytes, { limit = Infinity, stallMs = 0, signal = null } = {}) {
  const fail = (code, message, extra) => Object.assign(new Error(message), { code }, extra);
  if (!response.body || !response.body.getReader) {
    const all = new Uint8Array(await response.arrayBuffer());
    if (all.length > limit) throw fail('too-long', `body longer than ${limit} bytes`, { received: all.length });
    if (onBytes) onBytes(all.length);
    return all;
  }
  const reader = response.body.getReader();
  const parts = [];
  let n = 0;
  let timer = null;
  let stop = null;  // rejects the pending read on a stall or an abort
  const stopped = new Promise((_, reject) => { stop = reject; });
  stopped.catch(() => {});
  const onAbort = () => stop(fail('cancelled', 'cancelled'));
  if (signal) {
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort);
  }
  try {
    for (;;) {
      if (stallMs > 0) timer = setTimeout(() => stop(fail('stalled', `no data for ${stallMs} ms`, { received: n })), stallMs);
      let chunk;
      try {
        chunk = await Promise.race([reader.read(), stopped]);
      } catch (e) {
        if (e.code) throw e;
        throw fail('dropped', e.message || String(e), { received: n });  // connection reset, truncated body
      } finally {
        clearTimeout(timer);
      }
      if (chunk.done) break;
      n += chunk.value.length;
      if (n > limit) throw fail('too-long', `body longer than ${limit} bytes`, { received: n });
      parts.push(chunk.value);
      if (onBytes) onBytes(chunk.value.length);
    }
  } catch (e) {
    reader.cancel().catch(() => {});  // closes the connection: nothing more is downloaded
    throw e;
  } finally {
    if (signal) signal.removeEventListener('abort', onAbort);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
