// Exports of the selected chain: CSV and JSON (data), SVG and PNG (the picture).
function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function csvCell(v) { const s = String(v ?? ''); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; }

export function chainRows(chain, ctx) {
  return chain.feature.map((f, l) => {
    const h = l > 0 ? chain.hops[l - 1] : null;
    const has = h && h.from >= 0;
    return {
      layer: ctx.layerIds[l], feature: f, label: f >= 0 && ctx.labels[l] ? ctx.labels[l][f] : '',
      hop_cost: has ? h.cost : null, hop_score: has ? h.score : null, persisting: has ? h.persisting : null,
    };
  });
}

export function chainCsv(chain, ctx) {
  const rows = chainRows(chain, ctx);
  const head = 'layer,feature,label,hop_cost,hop_score,persisting';
  return [head, ...rows.map((r) => [r.layer, r.feature, r.label, r.hop_cost ?? '', r.hop_score ?? '', r.persisting ?? ''].map(csvCell).join(','))].join('\n') + '\n';
}

export function exportCsv(chain, ctx) { download(`chain-L${chain.layer}-${chain.selected}.csv`, new Blob([chainCsv(chain, ctx)], { type: 'text/csv' })); }

export function exportJson(chain, ctx, state) {
  const doc = { pack: state.pack, manifest_hash: ctx.manifestHash, weights: { w_dec: state.wdec, w_enc: state.wenc, w_b: state.wb, cosine: state.cos },
    q: state.q, selected: { layer: chain.layer, feature: chain.selected }, chain: chainRows(chain, ctx), link: location.href };
  download(`chain-L${chain.layer}-${chain.selected}.json`, new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
}

// The graph as one standalone SVG: the canvas links embedded as an image under the vector chain.
export function graphSvg(graphRoot) {
  const canvas = graphRoot.querySelector('canvas');
  const svg = graphRoot.querySelector('svg').cloneNode(true);
  const w = canvas.clientWidth, h = canvas.clientHeight;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  svg.setAttribute('width', w); svg.setAttribute('height', h);
  const style = getComputedStyle(graphRoot);
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', w); bg.setAttribute('height', h); bg.setAttribute('fill', style.getPropertyValue('--bg').trim() || '#fff');
  const img = document.createElementNS('http://www.w3.org/2000/svg', 'image');
  img.setAttribute('href', canvas.toDataURL('image/png'));
  img.setAttribute('width', w); img.setAttribute('height', h);
  svg.insertBefore(img, svg.firstChild);
  svg.insertBefore(bg, svg.firstChild);
  const css = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  css.textContent = `text{font:12px sans-serif;fill:${style.getPropertyValue('--fg').trim() || '#222'}} .hop{stroke:#f90} .hop.broken{stroke:#d33;stroke-dasharray:4 3} .node{fill:#fff;stroke:#f90} .node.selected{fill:#f90}`;
  svg.insertBefore(css, svg.firstChild);
  return new XMLSerializer().serializeToString(svg);
}

export function exportSvg(graphRoot, name) { download(`${name}.svg`, new Blob([graphSvg(graphRoot)], { type: 'image/svg+xml' })); }

export async function exportPng(graphRoot, name) {
  const text = graphSvg(graphRoot);
  const canvas = graphRoot.querySelector('canvas');
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  await img.decode();
  const out = document.createElement('canvas');
  out.width = canvas.width; out.height = canvas.height;
  out.getContext('2d').drawImage(img, 0, 0, out.width, out.height);
  const blob = await new Promise((r) => out.toBlob(r, 'image/png'));
  download(`${name}.png`, blob);
}
