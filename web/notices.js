// Notices under the header: each one dismissible, all of a load's cleared when the next load
// starts, and at most a few shown so they never push the graph off the screen.
const MAX_SHOWN = 6;

export class Notices {
  constructor(root) { this.root = root; }

  // kind: 'info' | 'warning'; returns the element (tests and callers may look at it).
  // content: plain text, or an array of strings and DOM nodes (e.g. a link built with DOM APIs).
  add(content, kind = 'info') {
    const n = document.createElement('div');
    n.className = `notice ${kind}`;
    const span = document.createElement('span');
    if (Array.isArray(content)) span.append(...content); else span.textContent = content;
    const close = document.createElement('button');
    close.className = 'dismiss';
    close.type = 'button';
    close.title = 'dismiss';
    close.setAttribute('aria-label', 'dismiss notice');
    close.textContent = '×';
    close.addEventListener('click', () => n.remove());
    n.append(span, close);
    this.root.appendChild(n);
    while (this.root.children.length > MAX_SHOWN) this.root.firstElementChild.remove();  // oldest go first
    return n;
  }

  clear() { this.root.replaceChildren(); }
  texts() { return [...this.root.querySelectorAll('.notice span')].map((s) => s.textContent); }
}
