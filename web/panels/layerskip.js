// Layer skip with your own activations: x_t and x_{t+1} as .npy files ([N, d], float32 or
// float16). The engine predicts x_{t+1} as decode_{t+1}(P · encode_t(x_t)) with the pair's
// permutation P and reports its explained variance with the CLI's baselines (`saematch eval`).
/* global d3 */
export class LayerSkipPanel {
  constructor(root, { explorer }) {
    this.root = root;
    this.explorer = explorer;
    this.files = [null, null];
    root.innerHTML = `
      <p class="xhint">Bring activations of two adjacent layers (same tokens, one row each). If the matching is right, encoding x<sub>t</sub> with SAE t, moving each feature to its partner and decoding with SAE t+1 should predict x<sub>t+1</sub>.</p>
      <div class="row wrap">
        <label>layer pair <select id="skip-pair"></select></label>
        <label>x<sub>t</sub> (.npy) <input type="file" id="skip-xt" accept=".npy"></label>
        <label>x<sub>t+1</sub> (.npy) <input type="file" id="skip-xt1" accept=".npy"></label>
        <button type="button" id="skip-run" disabled>Evaluate</button>
      </div>
      <div id="skip-drop" class="skip-drop" tabindex="0" role="region" aria-label="drop zone for two .npy files">Or drop both files here (the first in name order is x<sub>t</sub>).</div>
      <progress id="skip-progress" max="1" value="0" hidden aria-label="reading activations"></progress>
      <p id="skip-status" class="xhint" aria-live="polite"></p>
      <div id="skip-out"></div>`;
    this.pairSel = root.querySelector('#skip-pair');
    const pickFile = (i, input) => input.addEventListener('change', () => { this.files[i] = input.files[0] || null; this.ready(); });
    pickFile(0, root.querySelector('#skip-xt'));
    pickFile(1, root.querySelector('#skip-xt1'));
    root.querySelector('#skip-run').addEventListener('click', () => this.run());
    const drop = root.querySelector('#skip-drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault(); drop.classList.remove('over');
      const fs = [...e.dataTransfer.files].sort((a, b) => a.name.localeCompare(b.name));
      if (fs.length !== 2) { this.status(`drop exactly two .npy files (x_t and x_t+1), not ${fs.length}`); return; }
      this.files = fs;
      this.status(`x_t = ${fs[0].name}, x_t+1 = ${fs[1].name}`);
      this.ready();
    });
  }

  setPairs(names) {
    const keep = this.pairSel.value;
    this.pairSel.innerHTML = '';
    names.forEach((n, i) => { const o = document.createElement('option'); o.value = i; o.textContent = n; this.pairSel.appendChild(o); });
    if (keep && Number(keep) < names.length) this.pairSel.value = keep;
  }

  status(text) { this.root.querySelector('#skip-status').textContent = text; }
  ready() { this.root.querySelector('#skip-run').disabled = !(this.files[0] && this.files[1]); }

  async run() {
    const a = Number(this.pairSel.value);
    const bar = this.root.querySelector('#skip-progress');
    bar.hidden = false; bar.value = 0;
    this.status('reading the activations…');
    try {
      const r = await this.explorer.call('layerSkip', [a, a + 1, this.files[0], this.files[1]], {
        onProgress: (p) => { bar.value = p.total ? p.loaded / p.total : 0; this.status(`${p.stage}… ${(p.loaded / 2 ** 20).toFixed(1)} of ${(p.total / 2 ** 20).toFixed(1)} MiB`); },
      });
      this.status('');
      this.show(a, r);
    } catch (e) {
      this.status(e.message);  // one sentence from the engine; earlier results stay
    } finally { bar.hidden = true; }
  }

  show(a, r) {
    const names = this.explorer.model.layerNames;
    const out = d3.select(this.root).select('#skip-out').html('');
    const t = out.append('table').attr('class', 'xtable').attr('id', 'skip-table');
    t.append('caption').text(`${names[a]} → ${names[a + 1]}: explained variance of x_t+1 over ${r.n} rows (d = ${r.d})`);
    const rows = [
      ['skip', 'layer skip: encode with SAE t, permute, decode with SAE t+1', r.ev_skip],
      ['identity', 'baseline: predict x_t+1 = x_t', r.ev_identity],
      ['next', 'baseline: SAE t+1 applied to x_t', r.ev_next_sae],
      ['reconstruct', 'reference: SAE t+1 reconstructing x_t+1', r.ev_reconstruct],
    ];
    t.append('thead').append('tr').selectAll('th').data(['prediction', 'explained variance']).join('th').attr('scope', 'col').text((d) => d);
    const tr = t.append('tbody').selectAll('tr').data(rows).join('tr').attr('data-key', (d) => d[0]);
    tr.append('th').attr('scope', 'row').text((d) => d[1]);
    tr.append('td').attr('class', 'ev').text((d) => d[2].toFixed(4));
  }
}
