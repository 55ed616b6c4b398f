// Widgets shared by the pages: the override editor (config keys and values), the file browser
// (GET /api/files) and the preset select.

import { getJSON, schema } from './api.js';
import { guard } from './hooks.js';
import { bytes, el, errorBox, clearError, select, setOptions } from './ui.js';

let datalistCount = 0;

/** Turn the text of a value field into the JSON value for "set", by the key's schema kind. */
export function parseValue(text, kind) {
  const t = text.trim();
  const json = () => {
    try {
      return { ok: true, v: JSON.parse(t) };
    } catch {
      return { ok: false };
    }
  };
  switch (kind) {
    case 'int':
    case 'float': {
      const n = Number(t);
      return t !== '' && Number.isFinite(n) ? n : t; // not a number: let the server name the error
    }
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(t)) return true;
      if (/^(false|0|no|off)$/i.test(t)) return false;
      return t;
    case 'string':
    case 'choice': {
      const j = json();
      return j.ok && typeof j.v === 'string' ? j.v : t;
    }
    case 'float_list':
    case 'int_list': {
      const j = json();
      if (j.ok) return j.v;
      return t.split(/[\s,]+/).filter(Boolean).map((x) => (Number.isFinite(Number(x)) ? Number(x) : x));
    }
    case 'string_list': {
      const j = json();
      return j.ok ? j.v : t.split(',').map((x) => x.trim()).filter(Boolean);
    }
    default: {
      const j = json();
      return j.ok ? j.v : t;
    }
  }
}

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Rows of (key, value) overrides with the engine's keys offered in a datalist. get() returns
 * the "set" object; markKey(error) marks the row of the key a server error names.
 */
export class OverrideEditor {
  constructor(engine) {
    this.engine = engine;
    this.keys = new Map();
    this.listId = `keys-${engine}-${++datalistCount}`;
    this.datalist = el('datalist', { id: this.listId });
    this.rows = el('div.kv-rows');
    this.el = el(
      'div.kv-editor',
      {},
      this.datalist,
      this.rows,
      el('div.row', {}, el('button.small', { text: '+ override', onclick: () => this.addRow() }), el('span.note', { text: 'config key and value' })),
    );
    guard(`loading the ${engine} keys`, async () => {
      const s = await schema(engine);
      for (const k of s.keys || []) {
        this.keys.set(k.key, k);
        const label = [k.kind, k.unit, k.doc].filter(Boolean).join(' · ');
        this.datalist.append(el('option', { value: k.key, label }));
      }
    });
  }

  addRow(key = '', value = '') {
    const k = el('input.mono', { value: key, placeholder: 'key', list: this.listId, spellcheck: false });
    const v = el('input.mono', { value, placeholder: 'value', spellcheck: false });
    const row = el('div.kv-row', {}, k, v, el('button.small', { text: '×', title: 'remove', onclick: () => row.remove() }));
    const hint = () => {
      const s = this.keys.get(k.value.trim());
      k.title = s ? [s.doc, s.unit && `unit ${s.unit}`, `default ${show(s.default)}`, s.choices && `choices ${s.choices.join(', ')}`].filter(Boolean).join('\n') : '';
      v.placeholder = s ? show(s.default) : 'value';
    };
    k.addEventListener('input', hint);
    hint();
    this.rows.append(row);
    return row;
  }

  /** The overrides as {key: value}; empty keys and values left out. */
  get() {
    const set = {};
    for (const row of this.rows.querySelectorAll('.kv-row')) {
      const [k, v] = row.querySelectorAll('input');
      const key = k.value.trim();
      if (!key || v.value.trim() === '') continue;
      const s = this.keys.get(key);
      set[key] = parseValue(v.value, s && s.kind);
    }
    return set;
  }

  clearErrors() {
    for (const row of this.rows.querySelectorAll('.kv-row')) row.classList.remove('bad');
  }

  /** Mark the row of the key an error names (the message itself is shown by the caller). */
  markKey(err) {
    for (const row of this.rows.querySelectorAll('.kv-row')) row.classList.toggle('bad', row.querySelector('input').value.trim() === err.key);
  }
}

/** A preset <select> filled from /api/schema?engine=...; resolves when filled. */
export function presetSelect(engine, onchange) {
  const s = select([], null, onchange, { title: 'preset' });
  const ready = guard(`loading the ${engine} presets`, async () => {
    const sc = await schema(engine);
    setOptions(s, (sc.presets || []).map((p) => [p.name, p.name]), sc.default_preset);
    for (const o of s.options) {
      const p = (sc.presets || []).find((x) => x.name === o.value);
      if (p && p.description) o.title = p.description;
    }
  });
  return { el: s, ready };
}

/**
 * A directory browser over the server's root. opts: {kinds: ['edf', ...] files to offer,
 * onOpen(entry), openDirs: true to offer "open" on run directories, dir: start}.
 */
export class FileBrowser {
  constructor(opts) {
    this.opts = opts;
    this.dir = opts.dir || '.';
    this.crumbs = el('div.crumbs');
    this.list = el('div.files');
    this.error = errorBox();
    this.el = el('div.browser', {}, el('div.row', {}, this.crumbs, el('span.grow'), el('button.small', { text: '↻', title: 'refresh', onclick: () => this.refresh() })), this.list, this.error);
  }

  go(dir) {
    this.dir = dir || '.';
    return this.refresh();
  }

  refresh() {
    clearError(this.error);
    return guard(
      'listing files',
      async () => {
        const res = await getJSON('/api/files', { dir: this.dir });
        this.dir = res.dir || this.dir;
        this.render(res.entries || []);
      },
      this.error,
    );
  }

  render(entries) {
    const parts = this.dir === '.' || this.dir === '' ? [] : this.dir.split('/').filter((p) => p && p !== '.');
    this.crumbs.textContent = '';
    this.crumbs.append(el('button.link', { text: 'root', onclick: () => this.go('.') }));
    parts.forEach((p, i) => {
      this.crumbs.append('/', el('button.link', { text: p, onclick: () => this.go(parts.slice(0, i + 1).join('/')) }));
    });
    this.list.textContent = '';
    if (parts.length) this.list.append(el('div.entry.dir', {}, el('span.name', { text: '..', onclick: () => this.go(parts.slice(0, -1).join('/') || '.') })));
    const kinds = new Set(this.opts.kinds || []);
    const shown = entries
      .filter((e) => e.type === 'dir' || kinds.has(e.kind))
      .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1));
    for (const e of shown) {
      const openable = e.type === 'dir' ? this.opts.openDirs && e.kind === 'run' : kinds.has(e.kind);
      const name = el('span.name', { text: e.name + (e.type === 'dir' ? '/' : ''), title: e.path });
      if (e.type === 'dir') name.onclick = () => this.go(e.path);
      this.list.append(
        el(
          `div.entry${e.type === 'dir' ? '.dir' : ''}`,
          { dataset: { path: e.path, kind: e.kind } },
          name,
          el('span.kind', { text: e.type === 'dir' ? (e.kind === 'run' ? 'run' : '') : `${e.kind} ${bytes(e.size)}` }),
          openable ? el('button.small', { text: 'open', onclick: () => this.opts.onOpen(e) }) : null,
        ),
      );
    }
    if (!shown.length) this.list.append(el('div.entry', {}, el('span.note', { text: 'nothing here' })));
  }
}
