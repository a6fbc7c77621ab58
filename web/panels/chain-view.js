// The selected chain as a path through the layer columns, with the next best candidates at
// every hop on both sides (cost, score, margin to the chosen partner) and flags for close
// calls, split and merge candidates. The table below is the same content as text (and the
// keyboard way in). Alternatives and flags come from the engine (explainChain in the worker; explainHop hop by hop when layers are streamed).
/* global d3 */
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(4) : '—');
const signed = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}` : '—');

// The alternatives of one side of a hop: the k best candidates other than the chosen partner.
function others(list, chosen, k) { return list.filter((c) => c.feature !== chosen).slice(0, k); }

function flagsOf(h) {
  const out = [];
  if (!h) return out;
  if (h.close_call) out.push({ cls: 'close', text: 'close call', title: 'another candidate costs less than 10% more than the chosen partner (or even less)' });
  if (h.split) out.push({ cls: 'split', text: `split? (#${h.split_with})`, title: `feature #${h.split_with} of the next layer is also close to this one and cheaper here than with its own partner` });
  if (h.merge) out.push({ cls: 'merge', text: `merge? (#${h.merge_with})`, title: `feature #${h.merge_with} of this layer also converges on the same next-layer feature` });
  return out;
}

export class ChainView {
  constructor(root, { onPick, onK }) {
    this.root = root;
    this.onPick = onPick;
    this.onK = onK;
    this.clear();
  }

  clear() {
    this.root.innerHTML = '<p class="xhint">Select a feature (click it in the feature lines, search it, or pick a hop in the overview) to see its chain and, at every hop, the candidates it did not take.</p>';
  }

  error(msg) { this.root.innerHTML = ''; d3.select(this.root).append('p').attr('class', 'xerror').attr('role', 'alert').text(`chain view failed: ${msg}`); }

  show(c, { layerNames, labels, k }) {
    const L = c.feature.length;
    this.root.innerHTML = '';
    const root = d3.select(this.root);
    const bar = root.append('div').attr('class', 'cv-bar');
    bar.append('span').attr('class', 'cv-title').text(`Chain of ${layerNames[c.layer]} #${c.selected}`);
    const sel = bar.append('label').text('alternatives per side ').append('select').attr('id', 'cv-k');
    sel.selectAll('option').data([1, 2, 3, 4, 5]).join('option').attr('value', (d) => d).property('selected', (d) => d === k).text((d) => d);
    sel.on('change', (e) => this.onK(Number(e.target.value)));
    bar.append('span').attr('class', 'xhint').text('Above the path: features of the same layer competing for the next feature. Below: other candidates of the next layer.');

    const W = Math.max(480, this.root.clientWidth - 8), dy = 26, H = 2 * (k + 1) * dy + 40, y0 = 20 + (k + 1) * dy;
    const x = (l) => 40 + (L > 1 ? (l * (W - 80)) / (L - 1) : 0);
    const svg = root.append('svg').attr('class', 'cv-svg').attr('viewBox', `0 0 ${W} ${H}`).attr('role', 'group')
      .attr('aria-label', `chain path through ${L} layers with alternatives; the table below lists the same`);
    const alts = [];  // {l, f, cost, score, y, joinL, joinF}
    c.explained.forEach((h, l) => {
      if (!h || h.to < 0) return;
      others(h.forward, h.to, k).forEach((a, r) => alts.push({ l: l + 1, f: a.feature, cost: a.cost, score: a.score, y: y0 + (r + 1) * dy, joinL: l, side: 'forward', margin: a.cost - h.cost }));
      others(h.backward, h.from, k).forEach((a, r) => alts.push({ l, f: a.feature, cost: a.cost, score: a.score, y: y0 - (r + 1) * dy, joinL: l + 1, side: 'backward', margin: a.cost - h.cost }));
    });
    svg.append('g').attr('class', 'cv-columns').selectAll('text').data(layerNames).join('text')
      .attr('x', (_, l) => x(l)).attr('y', 12).attr('text-anchor', 'middle').text((d) => d);
    svg.append('g').selectAll('line').data(alts).join('line').attr('class', 'cv-altlink')
      .attr('x1', (a) => x(a.l)).attr('y1', (a) => a.y).attr('x2', (a) => x(a.joinL)).attr('y2', y0);
    // The chain itself, hop by hop (dashed where it stops persisting).
    c.hops.forEach((hop, l) => {
      if (c.feature[l] < 0 || c.feature[l + 1] < 0) return;
      svg.append('line').attr('class', `cv-hop${hop.persisting ? '' : ' broken'}`).attr('x1', x(l)).attr('y1', y0).attr('x2', x(l + 1)).attr('y2', y0);
      flagsOf(c.explained[l]).forEach((fl, r) => {
        svg.append('text').attr('class', `cv-flag ${fl.cls}`).attr('x', (x(l) + x(l + 1)) / 2).attr('y', y0 + 14 + r * 11)
          .attr('text-anchor', 'middle').text(fl.text).append('title').text(fl.title);
      });
    });
    const pick = (l, f) => () => this.onPick(l, f);
    const room = Math.max(6, Math.floor(((W - 80) / Math.max(1, L - 1) - 16) / 6));  // characters that fit before the next column
    const fit = (t) => (t.length > room ? `${t.slice(0, room - 1)}…` : t);
    // The accessible name starts with the visible text (axe: label-content-name-mismatch).
    const node = (g, l, f, cls, label, title, labelY = 4) => {
      g.attr('class', cls).attr('tabindex', 0).attr('role', 'button').attr("aria-label", `${fit(label)} (${title})`).attr('data-layer', l).attr('data-feature', f)
        .on('click', pick(l, f)).on('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.onPick(l, f); } });
      g.append('title').text(title);
      g.append('circle').attr('r', 6);
      g.append('text').attr('x', labelY === 4 ? 9 : -6).attr('y', labelY).text(fit(label));
    };
    c.feature.forEach((f, l) => {
      if (f < 0) return;
      const lab = labels[l] ? String(labels[l][f] || '') : '';
      const g = svg.append('g').attr('transform', `translate(${x(l)},${y0})`);
      node(g, l, f, `cv-node${l === c.layer ? ' selected' : ''}`, `#${f}${lab ? ` ${lab}` : ''}`, `${layerNames[l]} #${f}${lab ? `: ${lab}` : ''}`, -10);
    });
    for (const a of alts) {
      const g = svg.append('g').attr('transform', `translate(${x(a.l)},${a.y})`);
      node(g, a.l, a.f, `cv-alt ${a.side}`, `#${a.f} ${a.cost.toPrecision(3)}`,
        `${layerNames[a.l]} #${a.f}: cost ${fmt(a.cost)}, score ${a.score.toFixed(3)}, ${signed(a.margin)} against the chosen partner (click to re-centre)`);
    }
    this.table(root, c, layerNames, k);
  }

  // Text equivalent: one row per hop with the chosen pair, margins, flags and alternatives.
  table(root, c, layerNames, k) {
    const t = root.append('table').attr('class', 'xtable').attr('id', 'cv-table');
    t.append('caption').text('Hops of the chain with the alternatives the matching did not take');
    t.append('thead').append('tr').selectAll('th')
      .data(['hop', 'chosen', 'cost', 'score', 'margin (next / previous side)', 'flags', 'other candidates in the next layer', 'other candidates in this layer'])
      .join('th').attr('scope', 'col').text((d) => d);
    const body = t.append('tbody');
    c.explained.forEach((h, l) => {
      if (!h || h.to < 0) return;
      const tr = body.append('tr').attr('data-hop', l).attr('data-from', h.from).attr('data-to', h.to)
        .attr('data-flags', flagsOf(h).map((f) => f.cls).join(' '));
      tr.append('th').attr('scope', 'row').text(`${layerNames[l]} → ${layerNames[l + 1]}`);
      tr.append('td').text(`#${h.from} → #${h.to}`);
      tr.append('td').attr('class', 'cost').text(fmt(h.cost));
      tr.append('td').text(h.score.toFixed(3));
      tr.append('td').text(`${signed(h.margin_forward)} / ${signed(h.margin_backward)}`);
      tr.append('td').attr('class', 'flags').text(flagsOf(h).map((f) => f.text).join(', ') || '—');
      for (const [list, chosen, layer, side] of [[h.forward, h.to, l + 1, 'forward'], [h.backward, h.from, l, 'backward']]) {
        const td = tr.append('td').attr('class', `alts ${side}`);
        for (const a of others(list, chosen, k)) {
          td.append('button').attr('type', 'button').attr('class', 'alt-btn linkish')
            .attr('data-layer', layer).attr('data-feature', a.feature).attr('data-cost', a.cost).attr('data-score', a.score)
            .text(`#${a.feature} (${fmt(a.cost)}, ${signed(a.cost - h.cost)})`)
            .on('click', () => this.onPick(layer, a.feature));
        }
      }
    });
  }
}
