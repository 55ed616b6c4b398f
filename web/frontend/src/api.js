// The HTTP client for the dashboard API (docs/dev/dashboard-api.md).
//
// Every call resolves to parsed JSON or rejects with an ApiError that carries the server's
// {error, key} and the HTTP status, so pages can show the message next to the offending control.

export class ApiError extends Error {
  constructor(status, message, key = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.key = key;
  }
}

async function send(method, path, { body, json, signal } = {}) {
  const init = { method, signal, headers: {} };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
    init.headers['Content-Type'] = 'application/octet-stream';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, `network error on ${method} ${path.split('?')[0]}: ${e.message || e}`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, `bad JSON from ${path.split('?')[0]}`);
    }
  }
  if (!res.ok) {
    const message = (data && data.error) || text.trim() || res.statusText || 'request failed';
    throw new ApiError(res.status, message, data && data.key);
  }
  return data;
}

/** Build "path?a=1&b=2" from an object (undefined and null values left out). */
export function url(path, params = {}) {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return q ? `${path}?${q}` : path;
}

export const getJSON = (path, params, opts) => send('GET', url(path, params), opts);
export const postJSON = (path, json, opts) => send('POST', path, { ...opts, json });
export const postRaw = (path, body, opts) => send('POST', path, { ...opts, body });

/**
 * A "latest request wins" runner: each call aborts the previous request, and a response that
 * arrives after a newer call started is dropped. run(fn) calls fn(signal) and resolves to
 * {value} for the latest call, or {stale: true}; errors of stale calls are dropped too.
 */
export function latestOnly() {
  let ctrl = null;
  let seq = 0;
  return async function run(fn) {
    if (ctrl) ctrl.abort();
    const mine = (ctrl = new AbortController());
    const n = ++seq;
    try {
      const value = await fn(mine.signal);
      return n === seq ? { value } : { stale: true };
    } catch (e) {
      if (n !== seq || (e && e.name === 'AbortError')) return { stale: true };
      throw e;
    }
  };
}

// Schemas are static for one server: fetch each once.
const schemaCache = new Map();
export function schema(engine) {
  if (!schemaCache.has(engine)) {
    const p = getJSON('/api/schema', { engine });
    p.catch(() => schemaCache.delete(engine)); // let a later call retry
    schemaCache.set(engine, p);
  }
  return schemaCache.get(engine);
}

let infoPromise = null;
export function info() {
  if (!infoPromise) {
    infoPromise = getJSON('/api/info');
    infoPromise.catch(() => (infoPromise = null));
  }
  return infoPromise;
}
