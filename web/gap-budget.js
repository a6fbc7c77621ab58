// The gap budget (issue 12): match exactly, or let the engine stop once its duals prove the
// assignment within a fraction of the optimum (weak duality: total − optimum ≤ gap_bound). The
// engine decides and proves; this file only words the result, fills the setting's control and
// draws the box that offers to continue to the exact optimum.

// What the settings offer; a link may carry another budget (state.js bounds it), which gets its own entry.
export const GAP_CHOICES = [[0, 'Exact optimum'], [1e-3, 'Within 0.1% (proven)'], [1e-4, 'Within 0.01% (proven)']];

export const gapPercent = (gap) => `${Number((100 * gap).toPrecision(3))}%`;

// The engine stopped on the budget for this pair (rather than proving it exactly optimal).
export const withinBudget = (p) => !p.certified && p.gap_budget > 0 && p.gap_bound <= p.gap_budget * Math.abs(p.total);

// One pair's optimality, as the CLI says it: "certified optimal", "within 0.1% of optimal
// (proven; bound 0.947)" (bound = proven upper bound on total − optimum), or the bound alone
// when certification ran out of rounds.
export function optimalityText(p) {
  if (p.certified) return 'certified optimal';
  const bound = Number(p.gap_bound).toPrecision(3);
  if (withinBudget(p)) return `within ${gapPercent(p.gap_budget)} of optimal (proven; bound ${bound})`;
  return `not certified (gap ≤ ${bound})`;
}

// The select's value for a budget; a linked budget that is not one of the choices is added.
export function setGapControl(select, gap) {
  if (!select.options.length) for (const [v, text] of GAP_CHOICES) select.add(new Option(text, String(v)));
  if (![...select.options].some((o) => Number(o.value) === gap)) select.add(new Option(`Within ${gapPercent(gap)} (proven, from the link)`, String(gap)));
  select.value = [...select.options].find((o) => Number(o.value) === gap).value;
}

// The result's summary above the panels while a budget was used: per pair what is proven, and
// a button that matches again exactly (onContinue), keeping the selection and the zoom.
export class GapResultBox {
  constructor(root, { onContinue }) {
    this.root = root;
    this.text = document.createElement('span');
    this.button = Object.assign(document.createElement('button'), { type: 'button', id: 'gap-continue', textContent: 'Continue to the exact optimum' });
    this.button.addEventListener('click', () => onContinue());
    root.append(this.text, ' ', this.button);
  }

  // model: the committed result (or null); busy: a load or match is running.
  update(model, busy) {
    const budget = model ? model.settings.gap || 0 : 0;
    const open = model ? model.pairs.map((p, l) => ({ p, name: `${model.layerNames[l]} → ${model.layerNames[l + 1]}` })).filter((x) => !x.p.certified) : [];
    this.root.hidden = !(budget > 0);
    this.root.dataset.open = open.length;
    this.button.hidden = !open.length;
    this.button.disabled = !!busy;
    if (!(budget > 0)) { this.text.textContent = ''; return; }
    this.text.textContent = open.length
      ? `Matched with a ${gapPercent(budget)} gap budget: ${open.map(({ p, name }) => `${name} ${optimalityText(p)}`).join('; ')}`
        + `${open.length < model.pairs.length ? `; the other ${model.pairs.length - open.length} pair(s) certified optimal` : ''}. `
        + 'The bound (total − optimum ≤ bound) is proven by the duals.'
      : `Matched with a ${gapPercent(budget)} gap budget: every pair still came out certified optimal.`;
  }
}
