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

// Resolves true when the page is about to reload (the caller should not start the app yet),
// false after a few seconds at most: on a slow machine the worker may take longer to
// install, so the app starts single-thread and the reload comes when the worker is ready.
// Never waits on the registration unless isolation is wanted: a browser that blocks service
// workers may leave it pending forever.
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(false);
  const wantIsolation = document.documentElement.dataset.isolation === 'sw';
  const registering = navigator.serviceWorker.register(wantIsolation ? `sw.js?coep=${coepValue()}` : 'sw.js');
  registering.catch(() => {});  // only means no offline use (and no isolation on static hosts)
  if (!wantIsolation) return Promise.resolve(false);
  if (self.crossOriginIsolated) { sessionStorage.removeItem(RELOAD_FLAG); return Promise.resolve(false); }
  if (sessionStorage.getItem(RELOAD_FLAG)) return Promise.resolve(false);  // tried once: stay single-thread
  const reloadWhenControlled = registering.then((registration) => waitForController(registration)).then(() => {
    if (!navigator.serviceWorker.controller) return false;
    sessionStorage.setItem(RELOAD_FLAG, '1');
    location.reload();
    return true;
  }, () => false);
  return Promise.race([reloadWhenControlled, sleep(3000).then(() => false)]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The page is controlled once the new worker has activated and claimed it (a few ms after
// install on an idle machine); give up after a minute and stay single-thread.
function waitForController(registration) {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(done, 60000);
    navigator.serviceWorker.addEventListener('controllerchange', done, { once: true });
    if (registration.active && !registration.installing && !registration.waiting) {
      // active but not controlling this page (e.g. after a hard reload): claim() in sw.js fixes it on activate only
      registration.active.postMessage('claim');
    }
  });
}
