// Controls for real SAEs: the demo switcher (synthetic or Othello-GPT pack) and the release
// picker (release → width → layers → Load). Both only edit the URL state and ask the app to
// load; the URL hash then names the choice (#pack=demo-othello%2Fmanifest.json or
// #cat=gemma-scope-2b-res-16k&layers=0-5), never a list of long URLs.
import { loadCatalog, findEntry, layerBytes } from './catalog.js';
import { selectLayers } from './state.js';

const $ = (id) => document.getElementById(id);
const DEFAULT_LAYERS = '0-3';  // a few layers: a first look costs ~1 GB, not 8

function fmtBytes(n) { return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`; }

function option(select, value, text) {
  const o = document.createElement('option');
  o.value = value; o.textContent = text;
  select.appendChild(o);
}

// What the chosen layers will cost, or why the range is not usable.
function describeChoice(entry, spec) {
  let chosen;
  try {
    chosen = selectLayers(spec, entry.layers.map((l) => l.layer)).map((i) => entry.layers[i]);
  } catch (e) {
    return e.message;
  }
  const l0 = chosen.map((l) => (l.l0 === null || l.l0 === undefined ? '?' : Math.round(l.l0)));
  return `${chosen.length} of ${entry.layers.length} layers (${entry.layers[0].layer}–${entry.layers[entry.layers.length - 1].layer}) · `
    + `F=${entry.F}, d=${entry.d_model} · ≈ ${fmtBytes(chosen.length * layerBytes(entry))} from huggingface.co/${entry.repo} · `
    + `hook ${chosen[0].hook}${chosen.length > 1 ? ' …' : ''} · L0 ${l0.join(', ')}`;
}

export function bindCatalogControls(app) {
  const s = app.state;
  const demo = $('demo-select');
  demo.value = !s.cat && !s.urls.length && [...demo.options].some((o) => o.value === s.pack) ? s.pack : '';
  demo.addEventListener('change', () => {
    if (!demo.value) return;
    app.load({ pack: demo.value, cat: '', urls: [], layers: '', sel: null, zoom: null, mh: '' });
  });

  const release = $('cat-release'), width = $('cat-width'), layers = $('cat-layers'), info = $('cat-info'), load = $('cat-load');
  load.disabled = true;
  loadCatalog().then((catalog) => {
    const groups = [...new Map(catalog.entries.map((e) => [e.group, e.title])).entries()];
    for (const [g, title] of groups) option(release, g, title);
    const current = s.cat ? catalog.entries.find((e) => e.id === s.cat) : null;
    const entry = () => findEntry(catalog, width.value);
    const refresh = () => { info.textContent = describeChoice(entry(), layers.value); };
    const fillWidths = (pick) => {
      width.innerHTML = '';
      for (const e of catalog.entries.filter((x) => x.group === release.value)) option(width, e.id, `${e.width} (F=${e.F})`);
      if (pick) width.value = pick;
      refresh();
    };
    release.value = current ? current.group : groups[0][0];
    layers.value = current ? s.layers : DEFAULT_LAYERS;
    fillWidths(current && current.id);
    release.addEventListener('change', () => fillWidths());
    width.addEventListener('change', refresh);
    layers.addEventListener('input', refresh);
    load.disabled = false;
    load.addEventListener('click', () => {
      demo.value = '';
      app.load({ pack: s.pack, cat: width.value, layers: layers.value.trim(), urls: [], sel: null, zoom: null, mh: '' });
    });
  }).catch((e) => { info.textContent = `Release catalog unavailable (${e.message}).`; });
}
