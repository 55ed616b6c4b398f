// Small DOM helpers: the app builds its DOM in code (no framework, no templates).

/**
 * el('div.card#x', {onclick, dataset: {...}, ...props}, ...children). Class names and an id may
 * be given in the tag; `text` sets textContent; other keys are properties (or attributes for
 * names with a dash and for aria/data/for/list).
 */
export function el(spec, props = {}, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const node = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') node.classList.add(part.slice(1));
      else node.id = part.slice(1);
    }
  }
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'text') node.textContent = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(node.style, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k.includes('-') || k === 'for' || k === 'list') node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A <select> of [value, label] pairs (or plain values). */
export function select(options, value, onchange, props = {}) {
  const s = el('select', props);
  setOptions(s, options, value);
  if (onchange) s.addEventListener('change', () => onchange(s.value));
  return s;
}

export function setOptions(s, options, value) {
  s.textContent = '';
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    s.append(el('option', { value: String(v), text: String(label) }));
  }
  if (value !== undefined && value !== null) s.value = String(value);
}

/** A labelled row: <label>text</label> control. */
export const field = (label, control, note) =>
  el('label.field', {}, el('span.field-label', { text: label }), control, note ? el('span.note', { text: note }) : null);

/** Call fn at most once per `ms`, with the latest arguments (trailing edge). */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** An error box (hidden until an error is shown in it). */
export function errorBox(props = {}) {
  const b = el('div.error-box', props);
  b.hidden = true;
  return b;
}

export function clearError(box) {
  if (!box) return;
  box.textContent = '';
  box.hidden = true;
}

/** A titled panel of the page (sidebar sections, run sections). */
export function panel(title, ...children) {
  return el('section.panel', {}, title ? el('h3', { text: title }) : null, ...children);
}

/** A simple table: head = [names], rows = [[cells]]. */
export function table(head, rows, props = {}) {
  return el(
    'table.data',
    props,
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { text: h })))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => (c instanceof Node ? el('td', {}, c) : el('td', { text: c === null || c === undefined ? '–' : String(c) })))))),
  );
}

/** Human-readable byte count. */
export function bytes(n) {
  if (!Number.isFinite(n)) return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${u[i]}`;
}
