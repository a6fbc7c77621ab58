// Guided tour ("How it works", deep link #tour=N): six short steps over the loaded demo, each
// pointing at the part of the page it talks about. Written for a student: every term is
// explained in a sentence where it first appears. The numbers shown come from the engine.
/* global d3 */
import { matchOptions } from '../explorer.js';

const STEPS = [
  {
    title: 'What is an SAE feature?',
    target: '#graph',
    text: 'A sparse autoencoder (SAE) rewrites the activation vector of one layer as a sum of a few "features". '
      + 'Each feature has an encoder column (a direction the SAE reads: how strongly is this feature present?) and a decoder row '
      + '(the direction it writes back). Here every column is a layer and every row a feature; a feature\'s decoder row is what we compare across layers.',
  },
  {
    title: 'JumpReLU thresholds and folding',
    target: '#cmp-panel',
    view: 'compare',
    text: 'A JumpReLU feature only fires above its own threshold θ. Two features can point the same way but live at different scales, '
      + 'so SAE Match first "folds" θ into the weights (decoder row × θ, encoder column ÷ θ): the SAE computes exactly the same thing, '
      + 'but the rows become comparable. The table compares matching with and without folding on the first layer pair: the list shows the features whose partner changes.',
    async run(tour) { await tour.explorer.compare.runPair(0); },
  },
  {
    title: 'Matching is an assignment',
    target: '#tour-matrix',
    text: 'The cost of pairing feature i of one layer with feature j of the next is the squared distance between their (folded) decoder rows. '
      + 'SAE Match picks the one-to-one pairing with the lowest total cost (an "assignment"). Below: a few features of the first layer pair and their costs; '
      + 'the highlighted cells are the pairs the assignment chose. Small numbers = similar directions.',
    async run(tour) { await tour.showExcerpt(); },
  },
  {
    title: 'Chains, and when a feature stops',
    target: '#criterion',
    view: 'overview',
    text: 'Following a feature from partner to partner gives a chain through the layers. Every hop has a partner, so we need a rule for when the '
      + 'feature really continues. By default a hop persists when its score beats chance: better than 99% of random directions would score against '
      + 'the next layer. Other rules: a fixed score threshold, or the paper\'s quantile q (q = 0.9: the most expensive 10% of each pair\'s hops stop, '
      + 'a rank, not a test). Pick "its cost is within the q-quantile" here, move the q slider and watch the overview and the chains change.',
  },
  {
    title: 'What "certified optimal" means',
    target: '#histogram .caption',
    text: 'For big layers the engine never holds the whole cost matrix. It solves on the most promising candidates and then proves, for every one of the F × F pairs, '
      + 'that no swap could lower the total (reduced costs are all ≥ 0). "Certified optimal" means that proof went through: the answer is exactly the best assignment, not an approximation. '
      + 'Families of near-duplicate features make that exact answer slow; under Matching cost, "Optimum" can stop within 0.1% or 0.01% of it, a distance the duals prove, and you can continue to the exact optimum later.',
  },
  {
    title: 'Share what you found',
    target: '#copy-link',
    text: 'The address of this page holds the whole view: the pack, the layers, the cost weights, q, the selected feature, the zoom and this tour step. '
      + '"Copy link" puts it on the clipboard; whoever opens it sees the same chain, computed again in their own browser.',
  },
];

export class Tour {
  constructor(app, explorer) {
    this.app = app;
    this.explorer = explorer;
    this.step = 0;
    document.getElementById('tour-btn').addEventListener('click', () => this.open(1));
    const card = document.createElement('div');
    card.id = 'tour-card';
    card.className = 'tour-card';
    card.setAttribute('role', 'dialog');
    card.setAttribute('aria-labelledby', 'tour-title');
    card.hidden = true;
    card.innerHTML = `<p class="tour-count" id="tour-count"></p><h2 id="tour-title"></h2><p id="tour-text"></p>
      <div id="tour-extra"></div>
      <div class="row"><button type="button" id="tour-prev">Back</button><button type="button" id="tour-next" class="primary-alt">Next</button>
      <button type="button" id="tour-close">Close tour</button></div>`;
    document.body.appendChild(card);
    this.card = card;
    card.querySelector('#tour-prev').addEventListener('click', () => this.open(this.step - 1));
    card.querySelector('#tour-next').addEventListener('click', () => this.open(this.step + 1));
    card.querySelector('#tour-close').addEventListener('click', () => this.close());
    card.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.close(); } });
  }

  static get steps() { return STEPS; }

  async open(n) {
    const step = Math.round(Number(n));
    if (!(step >= 1 && step <= STEPS.length)) { this.close(); return; }
    this.step = step;
    this.app.state.tour = step;
    this.app.saveState();
    const s = STEPS[step - 1];
    this.card.hidden = false;
    this.card.querySelector('#tour-count').textContent = `How it works · step ${step} of ${STEPS.length}`;
    this.card.querySelector('#tour-title').textContent = s.title;
    this.card.querySelector('#tour-text').textContent = s.text;
    this.card.querySelector('#tour-extra').innerHTML = '';
    this.card.querySelector('#tour-prev').disabled = step === 1;
    this.card.querySelector('#tour-next').disabled = step === STEPS.length;
    if (s.view) this.explorer.setView(s.view);
    if (s.run && this.app.model) { try { await s.run(this); } catch (e) { this.card.querySelector('#tour-extra').textContent = `(${e.message})`; } }
    if (this.step !== step) return;  // the reader moved on meanwhile
    this.highlight(s.target);
    this.card.dataset.step = step;
  }

  highlight(selector) {
    for (const el of document.querySelectorAll('.tour-highlight')) el.classList.remove('tour-highlight');
    const el = document.querySelector(selector);
    if (!el) return;
    el.classList.add('tour-highlight');
    el.scrollIntoView({ block: 'nearest' });
  }

  close() {
    this.step = 0;
    this.card.hidden = true;
    for (const el of document.querySelectorAll('.tour-highlight')) el.classList.remove('tour-highlight');
    this.app.state.tour = 0;
    this.app.saveState();
  }

  // Five features of the first pair (the selected one first, if any) against their partners.
  async showExcerpt() {
    const m = this.app.model;
    const p = m.pairs[0];
    const start = this.app.chain && this.app.chain.feature[0] >= 0 ? this.app.chain.feature[0] : 0;
    const rows = [];
    for (let i = start; rows.length < 5 && i < m.F[0]; i++) if (p.a_to_b[i] >= 0) rows.push(i);
    const cols = rows.map((i) => p.a_to_b[i]);
    const costs = await this.explorer.call('costExcerpt', [0, 1, rows, cols, matchOptions(this.app)]);
    const extra = d3.select(this.card.querySelector('#tour-extra'));
    extra.html('');
    const t = extra.append('table').attr('id', 'tour-matrix').attr('class', 'xtable matrix');
    t.append('caption').text(`cost between ${m.layerNames[0]} features (rows) and ${m.layerNames[1]} features (columns)`);
    const head = t.append('thead').append('tr');
    head.append('td');
    cols.forEach((j) => head.append('th').attr('scope', 'col').text(`#${j}`));
    const body = t.append('tbody');
    rows.forEach((i, r) => {
      const tr = body.append('tr');
      tr.append('th').attr('scope', 'row').text(`#${i}`);
      cols.forEach((j, c) => tr.append('td').attr('class', r === c ? 'chosen' : '').text(costs[r * cols.length + c].toFixed(3)));
    });
  }
}
