// The whole view state lives in the URL hash, typed like TensorFlow Playground's: each key has
// a type, a default and its limits, so a shared link reproduces the same pack, weights, q,
// selection, zoom. Every value is validated once, here: a bad one is clamped or dropped with a
// message that names the key, and never reaches the loaders or the engine.
export const MAX_LAYER_ID = 9999;   // no model has that many layers; keeps layer ranges small
const MAX_TEXT = 4096;              // longest URL or string a link may carry

const SCHEMA = {
  pack: { type: 'source', def: 'demo/manifest.json' },
  mh: { type: 'hex', def: '' },             // manifest hash prefix the link was made with
  urls: { type: 'sources', def: [] },       // direct SAE URLs instead of a pack
  cat: { type: 'catalogId', def: '' },      // release catalog entry (web/catalog.json) instead of a pack
  layers: { type: 'layers', def: '' },      // subset of the pack's layers ('' = all), e.g. 0-5 or 0,4,8
  wdec: { type: 'number', def: 1, min: 0, max: 1e6 },
  wenc: { type: 'number', def: 0, min: 0, max: 1e6 },
  wb: { type: 'number', def: 0, min: 0, max: 1e6 },
  cos: { type: 'bool', def: false },
  i8: { type: 'bool', def: true },          // integer kernel on int8 packs (exact on the stored weights)
  gap: { type: 'gap', def: 0, max: 0.01 },  // relative gap budget (0 exact; 0.001 = within 0.1% of optimal, proven)
  q: { type: 'number', def: 0.9, min: 0.5, max: 1 },
  crit: { type: 'enum', def: 'null', values: ['q', 'score', 'null'] },  // what "persisting" means on the graph
  smin: { type: 'number', def: 0.5, min: -1, max: 1 },                  // score threshold for crit=score
  sel: { type: 'pair', def: null },         // layer id:feature (the model's layer number, as in search)
  zoom: { type: 'zoom', def: null },        // k,x,y
  pair: { type: 'index', def: 0 },          // histogram layer pair
  view: { type: 'enum', def: 'overview', values: ['overview', 'chain', 'compare', 'skip', 'lines'] },  // explorer card
  tour: { type: 'number', def: 0, min: 0, max: 6 },  // guided tour step (1-based; 0 = closed)
  alt: { type: 'number', def: 3, min: 1, max: 5 },   // alternatives shown per hop in the chain view
};

// A value that cannot be used: the key and why, shown to the user as given.
class Invalid extends Error {}
const bad = (msg) => { throw new Invalid(msg); };
const short = (raw) => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

// Only what the app can fetch: http(s) or a path relative to the page. data:, blob:, javascript:
// and friends are refused here, with the key named, before anything tries to open them.
export function checkSource(key, raw) {
  if (raw.length > MAX_TEXT) bad(`${key}: URL longer than ${MAX_TEXT} characters`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw);
  if (scheme && !/^https?$/i.test(scheme[1])) bad(`${key}: only http(s) or relative URLs can be loaded, not "${scheme[1].toLowerCase()}:"`);
  return raw;
}

// Parses a layer selection like "0-5", "0,4,8" or "2-4,9" into [from, to] ranges, refusing
// bounds that are not small integers before anything loops over them.
export function parseLayerSpec(spec) {
  const ranges = [];
  if (!spec || !spec.trim()) return ranges;
  if (spec.length > 200) bad('layers: too long (use e.g. 0-5 or 0,4,8)');
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) bad(`layers: cannot read "${short(part)}" (use e.g. 0-5 or 0,4,8)`);
    for (const b of [m[1], m[2]]) {
      if (b !== undefined && !(Number(b) <= MAX_LAYER_ID)) bad(`layers: ${short(b)} is not a layer number (0…${MAX_LAYER_ID})`);
    }
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    ranges.push([Math.min(a, b), Math.max(a, b)]);
  }
  return ranges;
}

// Returns the positions (into the pack's layer list) of the selected layer ids, in pack order,
// or throws with a reason.
export function selectLayers(spec, ids) {
  const ranges = parseLayerSpec(spec);
  if (!ranges.length) return ids.map((_, i) => i);
  const want = new Set();
  for (const [a, b] of ranges) for (let x = a; x <= b; x++) want.add(x);  // at most MAX_LAYER_ID + 1 ids
  const pos = ids.map((id, i) => (want.has(id) ? i : -1)).filter((i) => i >= 0);
  const missing = [...want].filter((x) => !ids.includes(x));
  if (missing.length) throw new Error(`layers: this pack has no layer ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} (it has ${ids[0]}…${ids[ids.length - 1]})`);
  if (pos.length < 2) throw new Error('layers: choose at least two layers to match');
  return pos;
}

function parseNumber(key, spec, raw) {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) bad(`${key}=${short(raw)} is not a number`);
  if (v < spec.min || v > spec.max) {
    const c = Math.min(spec.max, Math.max(spec.min, v));
    return { value: c, problem: `${key}=${short(raw)} is outside ${spec.min}…${spec.max}: using ${c}` };
  }
  return v;
}

function decodeEntry(key, raw, i) {
  try { return decodeURIComponent(raw); } catch {
    return bad(`${key}: entry ${i + 1} "${short(raw)}" is not valid percent-encoding (a stray %?)`);
  }
}

const PARSERS = {
  number: parseNumber,
  bool: (key, spec, raw) => (/^(1|true)$/.test(raw) ? true : /^(0|false)$/.test(raw) ? false : bad(`${key}=${short(raw)} is not 0 or 1`)),
  enum: (key, spec, raw) => (spec.values.includes(raw) ? raw : bad(`${key}=${short(raw)} is not one of ${spec.values.join(', ')}`)),
  source: (key, spec, raw) => checkSource(key, raw.trim()),
  sources: (key, spec, raw) => {
    const list = raw.split('|').map((u, i) => decodeEntry(key, u, i).trim()).filter(Boolean);
    if (list.length > 128) bad(`${key}: more than 128 URLs`);
    list.forEach((u) => checkSource(key, u));
    return list;
  },
  // A relative gap budget like the CLI's --gap: 0 (exact) up to spec.max; above it is clamped.
  gap: (key, spec, raw) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0) bad(`${key}=${short(raw)} is not a gap budget (0 = exact optimum, 0.001 = within 0.1%, 0.0001 = within 0.01%)`);
    if (v > spec.max) return { value: spec.max, problem: `${key}=${short(raw)} is above the largest gap budget ${spec.max} (${100 * spec.max}%): using ${spec.max}` };
    return v;
  },
  // Names an entry of web/catalog.json; catalog.js says which entries exist.
  catalogId: (key, spec, raw) => (/^[a-z0-9][a-z0-9._-]{0,80}$/i.test(raw) ? raw : bad(`${key}=${short(raw)} is not a release name`)),
  hex: (key, spec, raw) => (/^[0-9a-f]{0,64}$/i.test(raw) ? raw.toLowerCase() : bad(`${key}=${short(raw)} is not a hexadecimal hash`)),
  layers: (key, spec, raw) => { parseLayerSpec(raw); return raw.trim(); },
  index: (key, spec, raw) => (/^\d{1,6}$/.test(raw) ? Number(raw) : bad(`${key}=${short(raw)} is not a whole number ≥ 0`)),
  pair: (key, spec, raw) => {
    const m = /^(\d{1,6}):(\d{1,9})$/.exec(raw);
    return m ? [Number(m[1]), Number(m[2])] : bad(`${key}=${short(raw)} is not layer:feature (e.g. 3:120)`);
  },
  zoom: (key, spec, raw) => {
    const p = raw.split(',').map(Number);
    if (p.length !== 3 || !p.every(Number.isFinite)) bad(`${key}=${short(raw)} is not scale,x,y`);
    if (!(p[0] >= 1 && p[0] <= 500)) bad(`${key}=${short(raw)}: the scale must be between 1 and 500`);
    if (Math.abs(p[1]) > 1e7 || Math.abs(p[2]) > 1e7) bad(`${key}=${short(raw)}: the offset is out of range`);
    return p;
  },
};

function formatValue(spec, v) {
  switch (spec.type) {
    case 'bool': return v ? '1' : '0';
    case 'sources': return v.map(encodeURIComponent).join('|');
    case 'pair': return `${v[0]}:${v[1]}`;
    case 'zoom': return v.map((x) => Number(x.toFixed(3))).join(',');
    case 'source': case 'layers': case 'hex': case 'catalogId': return encodeURIComponent(v);
    default: return String(v);
  }
}

// The state a hash describes, and what was wrong with it: { state, problems: [message] }.
// A value that cannot be read falls back to the key's default; one out of range is clamped.
export function parseState(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = {};
  const problems = [];
  for (const [key, spec] of Object.entries(SCHEMA)) {
    state[key] = spec.def;
    if (!params.has(key)) continue;
    const raw = params.get(key);
    try {
      if (raw.length > MAX_TEXT * 4) bad(`${key}: value longer than ${MAX_TEXT * 4} characters`);
      const parse = PARSERS[spec.type] || ((k, s, r) => r);
      const v = parse(key, spec, raw);
      if (v && typeof v === 'object' && 'problem' in v) { state[key] = v.value; problems.push(v.problem); } else state[key] = v;
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      problems.push(`${e.message}; ignored`);
    }
  }
  return { state, problems };
}

export function readState(hash = location.hash) { return parseState(hash).state; }

export function writeState(s) {
  const parts = [];
  for (const [k, spec] of Object.entries(SCHEMA)) {
    const v = s[k];
    if (v === null || v === undefined) continue;
    if (JSON.stringify(v) === JSON.stringify(spec.def) && k !== 'pack') continue;
    if (k === 'pack' && s.cat) continue;  // a catalog entry replaces the pack: keep its link short
    parts.push(`${k}=${formatValue(spec, v)}`);
  }
  const hash = '#' + parts.join('&');
  if (hash !== location.hash) history.replaceState(null, '', hash);
  return location.href;
}
