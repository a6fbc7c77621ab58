// window.benchPair(opts) -> Promise of the worker's result; progress lines go to the console
// (and #log) so the driver can follow them.
const log = document.getElementById('log');
window.benchPair = (opts) => new Promise((resolve, reject) => {
  const worker = new Worker('worker.js');
  worker.onmessage = ({ data }) => {
    if (data.progress) { console.log(`progress: ${data.progress}`); log.textContent = data.progress; return; }
    worker.terminate();
    if (data.ok) resolve(data.result); else reject(new Error(data.error));
  };
  worker.onerror = (e) => reject(new Error(`bench worker failed: ${e.message}`));
  worker.postMessage(opts);
});
