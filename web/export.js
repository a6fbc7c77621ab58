// Exports: the selected chain and all matches as data (CSV, JSON), the graph as a figure (SVG,
// PNG). Every file carries the same provenance (export-provenance.js) so it describes itself.
import { provenance, provenanceLines } from './export-provenance.js';

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// A text cell a spreadsheet will not run: a leading = + - @ tab or CR gets a ' in front
// (OWASP's advice for CSV injection), and the cell is quoted whenever it holds a quote,
// comma, CR or LF.
export function csvText(v) {
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
// Numbers we format ourselves: never neutralised (a score of -0.12 stays a number).
const num = (v, digits) => (v === null || v === undefined || !Number.isFinite(v) ? '' : Number(v.toPrecision(digits)).toString());
const fixed = (v, digits) => (v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : '');

function csvDocument(meta, head, rows) {
  // A CR or LF inside a provenance value (a hostile hook name, say) must not start a new row.
  return [...provenanceLines(meta).map((l) => `# ${l.replace(/[\r\n]+/g, ' ')}`), head.map(csvText).join(','), ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n';
}

// One row per layer of the chain; the hop columns describe the hop INTO that row's layer.
export function chainRows(chain, ctx) {
  return chain.feature.map((f, l) => {
    const h = l > 0 && chain.hops[l - 1].from >= 0 ? chain.hops[l - 1] : null;
    return {
      layer: ctx.layerIds[l], hook: ctx.hooks[l] || '', feature: f >= 0 ? f : null, label: f >= 0 && ctx.labels[l] ? ctx.labels[l][f] : '',
      hop_cost: h ? h.cost : null, hop_score: h ? h.score : null, persists: h ? ctx.persists(l - 1, h.cost, h.score) : null,
      persists_q_rank: h ? h.cost <= ctx.thresholds[l - 1] : null,
    };
  });
}

export const CHAIN_COLUMNS = ['layer', 'hook', 'feature', 'label', 'hop_cost_into_row (weighted squared distance)', 'hop_score_into_row (1=identical; 0=orthogonal)', 'persists_into_row (chosen criterion)', 'within_q_quantile_into_row (rank)'];

export function chainCsv(chain, ctx, meta) {
  const rows = chainRows(chain, ctx).map((r) => [r.layer, csvText(r.hook), r.feature ?? '', csvText(r.label), num(r.hop_cost, 5), fixed(r.hop_score, 4), yesNo(r.persists), yesNo(r.persists_q_rank)]);
  return csvDocument(meta, CHAIN_COLUMNS, rows);
}

export const ALL_COLUMNS = ['layer_a', 'feature_a', 'label_a', 'layer_b', 'feature_b', 'label_b', 'cost (weighted squared distance)', 'score (1=identical; 0=orthogonal)', 'persists (chosen criterion)', 'within_q_quantile (rank)', 'above_null_baseline'];

// Every matched pair of every layer pair: a_to_b, cost, score and the three verdicts, so
// non-persisting features can be listed too.
export function allMatchesCsv(model, ctx, meta) {
  const rows = [];
  model.pairs.forEach((p, l) => {
    const la = ctx.labels[l], lb = ctx.labels[l + 1];
    for (let f = 0; f < p.a_to_b.length; f++) {
      const g = p.a_to_b[f];
      const matched = g >= 0;
      rows.push([ctx.layerIds[l], f, csvText(la ? la[f] : ''), ctx.layerIds[l + 1], matched ? g : '', csvText(matched && lb ? lb[g] : ''),
        num(p.cost[f], 5), fixed(p.score[f], 4), matched ? yesNo(ctx.persists(l, p.cost[f], p.score[f])) : '',
        matched ? yesNo(p.cost[f] <= p.threshold) : '', matched && p.nullCut !== undefined ? yesNo(p.score[f] > p.nullCut) : '']);
    }
  });
  return csvDocument(meta, ALL_COLUMNS, rows);
}

export function exportCsv(chain, ctx, meta) {
  download(`chain-${ctx.layerNames[chain.layer].split(' ')[0]}-${chain.selected}.csv`, new Blob([chainCsv(chain, ctx, meta)], { type: 'text/csv' }));
}
export function exportAllCsv(model, ctx, meta) { download('all-matches.csv', new Blob([allMatchesCsv(model, ctx, meta)], { type: 'text/csv' })); }

export function chainJson(chain, ctx, meta) {
  return { provenance: provenance(meta), selected: { layer: ctx.layerIds[chain.layer], position: chain.layer, feature: chain.selected },
    summary: ctx.summary, columns: CHAIN_COLUMNS, chain: chainRows(chain, ctx) };
}
export function exportJson(chain, ctx, meta) {
  download(`chain-${ctx.layerNames[chain.layer].split(' ')[0]}-${chain.selected}.json`, new Blob([JSON.stringify(chainJson(chain, ctx, meta), null, 2)], { type: 'application/json' }));
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const HEADER_H = 58, FOOTER_H = 22;

function svgEl(name, attrs = {}, text = null) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

// The figure as one standalone SVG: title and settings above, the links (vector paths when
// there are not too many, else the canvas as an image), the chain, axis and legend, the source
// below. Styles are inlined so it looks the same outside the page.
export function figureSvg(graph, meta) {
  const root = graph.root;
  const canvas = root.querySelector('canvas');
  const w = canvas.clientWidth, h = canvas.clientHeight;
  const H = h + HEADER_H + FOOTER_H;
  const css = getComputedStyle(root);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const svg = svgEl('svg', { xmlns: SVG_NS, width: w, height: H, viewBox: `0 0 ${w} ${H}` });
  svg.appendChild(svgEl('style', {}, `text{font:12px sans-serif;fill:${v('--fg', '#222')}}
.title{font-size:16px;font-weight:600} .sub,.foot{fill:${v('--muted', '#666')};font-size:11px}
.axis text{fill:${v('--muted', '#666')}} rect.feature{fill:${v('--node', '#999')};stroke:none}
.hop{stroke:${v('--accent', '#e8870e')};fill:none} .hop.broken{stroke:${v('--broken', '#d33')};stroke-dasharray:4 3} .hop.beyond{stroke:${v('--node', '#999')};opacity:.7}
.node{fill:${v('--panel', '#fff')};stroke:${v('--accent', '#e8870e')}} .node.selected{fill:${v('--accent', '#e8870e')}} .node.beyond{stroke:${v('--node', '#999')}}
.legend-bg{fill:${v('--panel', '#fff')};stroke:${v('--line', '#ddd')};opacity:.92} .legend text{font-size:11px}
.legend line.broken{stroke:${v('--broken', '#d33')};stroke-width:2} .legend line.undecided{stroke:${v('--node', '#999')};stroke-width:2}`));
  svg.appendChild(svgEl('rect', { width: w, height: H, fill: v('--bg', '#fff') }));
  svg.appendChild(svgEl('text', { class: 'title', x: 10, y: 22 }, meta.title));
  svg.appendChild(svgEl('text', { class: 'sub', x: 10, y: 40 }, meta.subtitle));
  if (meta.selection) svg.appendChild(svgEl('text', { class: 'sub', x: 10, y: 54 }, meta.selection));
  const body = svgEl('g', { transform: `translate(0,${HEADER_H})` });
  const clip = svgEl('clipPath', { id: 'plot' });
  clip.appendChild(svgEl('rect', { width: w, height: h }));
  svg.appendChild(clip);
  body.setAttribute('clip-path', 'url(#plot)');
  const links = graph.vectorLinks();
  if (links) {
    const g = svgEl('g', { class: 'links', 'stroke-width': 1, fill: 'none' });
    for (const l of links) g.appendChild(svgEl('path', { d: l.d, stroke: l.colour, 'stroke-opacity': l.alpha, 'data-links': l.key }));
    body.appendChild(g);
  } else {
    body.appendChild(svgEl('image', { href: canvas.toDataURL('image/png'), width: w, height: h }));
  }
  const overlay = root.querySelector('svg').cloneNode(true);
  overlay.removeAttribute('style');
  for (const [k, val] of Object.entries({ x: 0, y: 0, width: w, height: h })) overlay.setAttribute(k, val);
  body.appendChild(overlay);
  svg.appendChild(body);
  svg.appendChild(svgEl('text', { class: 'foot', x: 10, y: H - 7 }, meta.footer));
  return new XMLSerializer().serializeToString(svg);
}

export function exportSvg(graph, meta, name) { download(`${name}.svg`, new Blob([figureSvg(graph, meta)], { type: 'image/svg+xml' })); }

export const PNG_SCALE = 2;
// The same figure rasterised at 2x (slides stay sharp on high-density projectors).
export async function figurePng(graph, meta) {
  const text = figureSvg(graph, meta);
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  await img.decode();
  const out = document.createElement('canvas');
  const scale = Math.max(PNG_SCALE, window.devicePixelRatio || 1);
  out.width = Math.round(img.width * scale); out.height = Math.round(img.height * scale);
  out.getContext('2d').drawImage(img, 0, 0, out.width, out.height);
  return new Promise((r) => out.toBlob(r, 'image/png'));
}

export async function exportPng(graph, meta, name) { download(`${name}.png`, await figurePng(graph, meta)); }
