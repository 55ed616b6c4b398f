// A small TOML reader for the resolved configurations the server returns (POST /api/resolve):
// tables, dotted keys, strings, numbers, booleans, arrays (also multi-line) and inline tables.
// The QLIF explorer uses it to show a preset's values in its controls. Dates are read as
// strings. flat() gives {"neuron.tau": 20, ...} with every table flattened to dotted keys.

export function parseTOML(text) {
  let i = 0;
  const root = {};
  let table = root;
  const err = (m) => {
    throw new Error(`TOML: ${m} at line ${text.slice(0, i).split('\n').length}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const wsnl = () => {
    for (;;) {
      ws();
      if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      if (text[i] === '\n' || text[i] === '\r') i++;
      else break;
    }
  };
  const str = () => {
    const q = text[i];
    const multi = text.startsWith(q.repeat(3), i);
    i += multi ? 3 : 1;
    let out = '';
    for (;;) {
      if (i >= text.length) err('unterminated string');
      if (multi ? text.startsWith(q.repeat(3), i) : text[i] === q) {
        i += multi ? 3 : 1;
        return out;
      }
      const c = text[i++];
      if (c === '\\' && q === '"') {
        const e = text[i++];
        const map = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' };
        if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          out += String.fromCodePoint(parseInt(text.slice(i, i + n), 16));
          i += n;
        } else out += map[e] !== undefined ? map[e] : e;
      } else out += c;
    }
  };
  const key = () => {
    const parts = [];
    for (;;) {
      ws();
      if (text[i] === '"' || text[i] === "'") parts.push(str());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 200));
        if (!m) err('bad key');
        parts.push(m[0]);
        i += m[0].length;
      }
      ws();
      if (text[i] !== '.') return parts;
      i++;
    }
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '"' || c === "'") return str();
    if (c === '[') {
      i++;
      const arr = [];
      for (;;) {
        wsnl();
        if (text[i] === ']') {
          i++;
          return arr;
        }
        arr.push(value());
        wsnl();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') err('expected , or ]');
      }
    }
    if (c === '{') {
      i++;
      const obj = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        const k = key();
        if (text[i] !== '=') err('expected =');
        i++;
        put(obj, k, value());
        ws();
        if (text[i] === ',') i++;
      }
    }
    const m = /^[^\s,\]}#]+/.exec(text.slice(i, i + 400));
    if (!m) err('bad value');
    i += m[0].length;
    const w = m[0];
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (/^[+-]?inf$/.test(w)) return w[0] === '-' ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(w)) return NaN;
    const n = Number(w.replace(/_/g, ''));
    return Number.isNaN(n) ? w : n; // dates and times stay text
  };
  const put = (obj, path, v) => {
    let o = obj;
    for (const p of path.slice(0, -1)) o = o[p] = o[p] && typeof o[p] === 'object' ? o[p] : {};
    o[path[path.length - 1]] = v;
  };
  for (;;) {
    wsnl();
    if (i >= text.length) break;
    if (text[i] === '[') {
      const arrayTable = text[i + 1] === '[';
      i += arrayTable ? 2 : 1;
      const path = key();
      i += arrayTable ? 2 : 1;
      let o = root;
      for (const p of path.slice(0, -1)) o = o[p] = o[p] || {};
      const last = path[path.length - 1];
      if (arrayTable) {
        o[last] = Array.isArray(o[last]) ? o[last] : [];
        table = {};
        o[last].push(table);
      } else table = o[last] = o[last] && typeof o[last] === 'object' ? o[last] : {};
      continue;
    }
    const k = key();
    if (text[i] !== '=') err('expected =');
    i++;
    put(table, k, value());
  }
  return root;
}

/** {"a.b": v} for every leaf (arrays are leaves); tables also appear under their own key. */
export function flat(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[key] = v;
      flat(v, key, out);
    } else out[key] = v;
  }
  return out;
}
