// Promise-based calls into the engine worker. Cancelling terminates the worker (a running
// WASM call cannot be interrupted otherwise) and starts a fresh one; callers reload layers.
export class EngineClient {
  constructor(url = 'app/engine-worker.js') {
    this.url = url;
    this.pending = new Map();
    this.nextId = 1;
    this.onRestart = null;
    this.start();
  }

  start() {
    this.worker = new Worker(this.url);
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      const msg = `engine worker failed: ${e.message || 'could not load (missing WASM build?)'}`;
      for (const p of this.pending.values()) p.reject(new Error(msg));
      this.pending.clear();
      this.startError = msg;
    };
    this.info = this.call('info');
  }

  receive(m) {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.progress) { if (p.onProgress) p.onProgress(m.progress); return; }
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result); else p.reject(new Error(m.error));
  }

  // signal: aborting it rejects the call with 'cancelled' and asks the worker to stop its fetches.
  call(cmd, args = [], { onProgress, transfer = [], signal = null } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) { reject(new Error('cancelled')); return; }
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, cmd, args }, transfer);
      if (signal) {
        signal.addEventListener('abort', () => {
          if (!this.pending.delete(id)) return;
          this.worker.postMessage({ id: this.nextId++, cmd: 'abort', args: [id] });
          reject(new Error('cancelled'));
        }, { once: true });
      }
    });
  }

  busy() { return this.pending.size > 0; }

  async cancel() {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('cancelled'));
    this.pending.clear();
    this.start();
    if (this.onRestart) await this.onRestart();
  }
}
