// Real layer ids, hooks and provenance of loaded layers: from a pack's manifest, or for files
// read by URL from what the engine found in them (cfg.json's hook_layer/hook_name), else from
// the path (Gemma Scope's ".../layer_5/width_16k/...").

// "L3 · resid_pre" from layer id 3 and hook "blocks.3.hook_resid_pre".
export function layerName(id, hook) {
  const short = String(hook || '').replace(/^blocks\.\d+\./, '').replace(/^hook_/, '');
  return short ? `L${id} · ${short}` : `L${id}`;
}

function folding(entry) {
  if (entry.activation === 'jumprelu') return entry.folding_changed_weights === false ? 'folded (no change)' : 'thresholds folded';
  return 'identity';
}

export function packSources(pack, chosen) {
  return chosen.map((l) => ({
    id: l.layer, name: layerName(l.layer, l.hook), hook: l.hook || '', activation: l.activation, d: l.d_model, F: l.F,
    folding: folding(l), quant: pack.manifest.quant,
    file: l.shards.map((s) => new URL(s.url, pack.url).href).join(' '),
    sha256: l.shards.map((s) => s.sha256).join(' '),
  }));
}

// info: the engine's layer entry (layerInfo); i: the file's position in the list.
export function urlSource(href, info, i) {
  const path = new URL(href).pathname;
  const fromPath = /(?:^|\/)layer_(\d+)(?:\/|$)/.exec(path) || /(?:^|\/)blocks\.(\d+)\./.exec(path);
  let id = i, from = 'position';
  if (info.hook) { id = info.layer; from = 'cfg.json'; } else if (fromPath) { id = Number(fromPath[1]); from = 'path'; }
  return {
    id, name: layerName(id, info.hook), hook: info.hook || '', activation: info.activation, d: info.d_model, F: info.F,
    folding: folding(info), quant: 'int8 (quantised in the worker)', file: href, sha256: '', layer_id_from: from,
  };
}

// Which formats a list of URLs holds, as the note under the title says it.
export function formatNote(urls) {
  const kinds = new Set(urls.map((u) => (/\.npz(\?|#|$)/i.test(u) ? 'npz' : /\.safetensors(\?|#|$)/i.test(u) ? 'st' : 'other')));
  const parts = [];
  if (kinds.has('npz')) parts.push('Gemma Scope params.npz read with HTTP Range requests');
  if (kinds.has('st')) parts.push('SAELens .safetensors read whole, with cfg.json from the same folder');
  return parts.join('; ') || 'SAE files';
}
