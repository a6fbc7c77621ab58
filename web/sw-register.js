// Registers the service worker (offline app shell, see sw.js). On a static host that cannot
// send COOP/COEP headers (GitHub Pages), `./run.sh dist` marks the page with
// <html data-isolation="sw">: the service worker then adds those headers to the page and its
// workers, and the page reloads itself once to come back cross-origin isolated (threaded
// engine). A flag in sessionStorage stops a second reload when isolation still fails.
const RELOAD_FLAG = 'saematch-isolation-reload';

// COEP credentialless where the browser has it (no CORP needed on cross-origin files),
// otherwise require-corp (the hub and Neuronpedia answer with CORS, which satisfies both).
function coepValue() {
  return 'credentialless' in HTMLIFrameElement.prototype ? 'credentialless' : 'require-corp';
}

// Resolves true when the page is about to reload (the caller should not start the app).
export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return false;
  const wantIsolation = document.documentElement.dataset.isolation === 'sw';
  const script = wantIsolation ? `sw.js?coep=${coepValue()}` : 'sw.js';
  let registration;
  try {
    registration = await navigator.serviceWorker.register(script);
  } catch {
    return false;  // only means no offline use (and no isolation on static hosts)
  }
  if (!wantIsolation) return false;
  if (self.crossOriginIsolated) { sessionStorage.removeItem(RELOAD_FLAG); return false; }
  if (sessionStorage.getItem(RELOAD_FLAG)) return false;  // tried once already: stay single-thread
  await waitForController(registration);
  if (!navigator.serviceWorker.controller) return false;
  sessionStorage.setItem(RELOAD_FLAG, '1');
  location.reload();
  return true;
}

// The page is controlled once the new worker has activated and claimed it (a few ms after
// install); give up after a few seconds and run single-thread.
function waitForController(registration) {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(done, 5000);
    navigator.serviceWorker.addEventListener('controllerchange', done, { once: true });
    if (registration.active && !registration.installing && !registration.waiting) {
      // active but not controlling this page (e.g. after a hard reload): claim() in sw.js fixes it on activate only
      registration.active.postMessage('claim');
    }
  });
}
