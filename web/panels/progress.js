// Download and compute progress: one bar per layer plus a total with bytes and ETA.
function mib(n) { return (n / 1048576).toFixed(1); }

export class ProgressPanel {
  constructor(root) { this.root = root; }

  startDownload(names, sizes) {
    this.sizes = sizes; this.done = sizes.map(() => 0); this.cached = 0;
    this.total = sizes.reduce((a, b) => a + b, 0);
    this.t0 = performance.now();
    this.root.innerHTML = '';
    this.root.hidden = false;
    this.totalBar = this.bar('total', 'progress-total');
    this.bars = names.map((n, i) => this.bar(n, `progress-layer-${i}`));
  }

  bar(label, id) {
    const row = document.createElement('div');
    row.className = 'prow';
    row.innerHTML = `<span class="plabel"></span><progress id="${id}" max="1" value="0"></progress><span class="ptext"></span>`;
    row.querySelector('.plabel').textContent = label;
    this.root.appendChild(row);
    return { bar: row.querySelector('progress'), text: row.querySelector('.ptext') };
  }

  addBytes(layer, n, fromCache) {
    this.done[layer] += n;
    if (fromCache) this.cached += n;
    const b = this.bars[layer];
    b.bar.value = this.sizes[layer] ? this.done[layer] / this.sizes[layer] : 1;
    b.text.textContent = `${mib(this.done[layer])}/${mib(this.sizes[layer])} MiB${fromCache ? ' (cache)' : ''}`;
    const got = this.done.reduce((a, v) => a + v, 0);
    const secs = (performance.now() - this.t0) / 1000;
    const rate = (got - this.cached) / Math.max(secs, 1e-3);
    const eta = rate > 0 ? (this.total - got) / rate : 0;
    this.totalBar.bar.value = this.total ? got / this.total : 1;
    this.totalBar.text.textContent = `${mib(got)}/${mib(this.total)} MiB${got < this.total && rate > 0 ? `, ETA ${eta.toFixed(0)} s` : ''}`;
  }

  // Absolute progress of one layer whose size is learnt while downloading (direct URLs).
  setBytes(layer, loaded, total) {
    this.total += (total || loaded) - this.sizes[layer];
    this.sizes[layer] = total || loaded;
    this.addBytes(layer, loaded - this.done[layer], false);
  }

  stage(text, fraction) {
    this.root.hidden = false;
    let row = this.root.querySelector('#progress-compute');
    if (!row) {
      this.root.insertAdjacentHTML('beforeend', '<div class="prow"><span class="plabel">compute</span><progress id="progress-compute" max="1" value="0"></progress><span class="ptext" id="progress-compute-text"></span></div>');
      row = this.root.querySelector('#progress-compute');
    }
    row.value = fraction;
    this.root.querySelector('#progress-compute-text').textContent = text;
  }

  hide() { this.root.hidden = true; this.root.innerHTML = ''; }
}
