// The whole view state lives in the URL hash, typed like TensorFlow Playground's: each key has
// a type and a default, so a shared link reproduces the same pack, weights, q, selection, zoom.
const SCHEMA = {
  pack: { type: 'string', def: 'demo/manifest.json' },
  mh: { type: 'string', def: '' },          // manifest hash prefix the link was made with
  urls: { type: 'list', def: [] },          // direct SAE URLs instead of a pack
  cat: { type: 'string', def: '' },         // release catalog entry (web/catalog.json) instead of a pack
  layers: { type: 'string', def: '' },      // subset of the pack's layers ('' = all), e.g. 0-5 or 0,4,8
  wdec: { type: 'number', def: 1 },
  wenc: { type: 'number', def: 0 },
  wb: { type: 'number', def: 0 },
  cos: { type: 'bool', def: false },
  i8: { type: 'bool', def: true },          // integer kernel on int8 packs (exact on the stored weights)
  q: { type: 'number', def: 0.9 },
  sel: { type: 'pair', def: null },         // layer:feature
  zoom: { type: 'triple', def: null },      // k,x,y
  pair: { type: 'number', def: 0 },         // histogram layer pair
  view: { type: 'string', def: 'overview' }, // explorer card: overview | chain | compare | skip | lines
  tour: { type: 'number', def: 0 },         // guided tour step (1-based; 0 = closed)
  alt: { type: 'number', def: 3 },          // alternatives shown per hop in the chain view
};

function parseValue(spec, raw) {
  switch (spec.type) {
    case 'number': { const v = Number(raw); return Number.isFinite(v) ? v : spec.def; }
    case 'bool': return raw === '1' || raw === 'true';
    case 'list': return raw ? raw.split('|').map(decodeURIComponent).filter(Boolean) : [];
    case 'pair': { const m = /^(\d+):(\d+)$/.exec(raw); return m ? [Number(m[1]), Number(m[2])] : null; }
    case 'triple': { const p = raw.split(',').map(Number); return p.length === 3 && p.every(Number.isFinite) ? p : null; }
    default: return raw;
  }
}

function formatValue(spec, v) {
  switch (spec.type) {
    case 'bool': return v ? '1' : '0';
    case 'list': return v.map(encodeURIComponent).join('|');
    case 'pair': return `${v[0]}:${v[1]}`;
    case 'triple': return v.map((x) => Number(x.toFixed(3))).join(',');
    default: return String(v);
  }
}

// Parses a layer selection like "0-5", "0,4,8" or "2-4,9" against the layer ids a pack has;
// returns the positions (into the manifest's layer list) in pack order, or throws with a reason.
export function selectLayers(spec, ids) {
  if (!spec || !spec.trim()) return ids.map((_, i) => i);
  const want = new Set();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`layers: cannot read "${part}" (use e.g. 0-5 or 0,4,8)`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    for (let x = Math.min(a, b); x <= Math.max(a, b); x++) want.add(x);
  }
  const pos = ids.map((id, i) => (want.has(id) ? i : -1)).filter((i) => i >= 0);
  const missing = [...want].filter((x) => !ids.includes(x));
  if (missing.length) throw new Error(`layers: this pack has no layer ${missing.slice(0, 5).join(', ')} (it has ${ids[0]}…${ids[ids.length - 1]})`);
  if (pos.length < 2) throw new Error('layers: choose at least two layers to match');
  return pos;
}

export function readState(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const s = {};
  for (const [k, spec] of Object.entries(SCHEMA)) s[k] = params.has(k) ? parseValue(spec, params.get(k)) : spec.def;
  return s;
}

export function writeState(s) {
  const parts = [];
  for (const [k, spec] of Object.entries(SCHEMA)) {
    const v = s[k];
    if (v === null || v === undefined) continue;
    if (JSON.stringify(v) === JSON.stringify(spec.def) && k !== 'pack') continue;
    if (k === 'pack' && s.cat) continue;  // a catalog entry replaces the pack: keep its link short
    parts.push(`${k}=${spec.type === 'string' ? encodeURIComponent(v) : formatValue(spec, v)}`);
  }
  const hash = '#' + parts.join('&');
  if (hash !== location.hash) history.replaceState(null, '', hash);
  return location.href;
}
