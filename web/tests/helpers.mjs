// Shared pieces of the dashboard and report tests (web/tests/*.test.mjs, run by `node --test`,
// registered in tests/CMakeLists.txt with the label `web`):
//   - the qneuro binary (env QNEURO, default build/bin/qneuro) and the artefacts directory
//     (env QNEURO_WEB_ARTIFACTS, default /tmp/qneuro-web-artifacts);
//   - a temporary served root and fixtures made with the CLI (field, analysis, snn, flux runs);
//   - `qneuro serve` started on a free port, stopped with SIGINT (SIGKILL after a timeout);
//   - raw HTTP requests (exact paths and headers, no URL normalisation) and an SSE client;
//   - chromium (Debian's /usr/bin/chromium through playwright-core) and a page watcher that
//     collects console errors, page errors, requests, failed requests and HTTP errors.

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = resolve(here, '..', '..');
export const QNEURO = process.env.QNEURO || join(SOURCE_DIR, 'build', 'bin', 'qneuro');
export const ARTIFACTS = process.env.QNEURO_WEB_ARTIFACTS || '/tmp/qneuro-web-artifacts';
export const CHROMIUM = process.env.QNEURO_CHROMIUM || '/usr/bin/chromium';
/** The recording of PhysioNet's EEG Motor Movement/Imagery database, when ../shared/data has it. */
export const EEGMMIDB_EDF = join(SOURCE_DIR, '..', 'shared', 'data', 'eegmmidb', 'S001R04.edf');

export function artifactsDir() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/** Print a measurement (stdout; `node --test` shows it as "# MEASURE ...") and keep it in ARTIFACTS/measures.txt. */
export function measure(name, value) {
  const line = `MEASURE ${name}=${value}`;
  console.log(line);
  try {
    appendFileSync(join(artifactsDir(), 'measures.txt'), `${new Date().toISOString()} ${line}\n`);
  } catch {
    /* the printed line is what counts */
  }
}

// ------------------------------------------------------------------ temporary roots, fixtures

/** A fresh directory in the system temp dir; remove it with removeRoot(). */
export function makeRoot(prefix = 'qneuro-web-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeRoot(dir) {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Run the CLI (quiet) and return its stdout; throws with stderr on a non-zero exit. */
export function cli(args, { timeout = 300000, cwd } = {}) {
  try {
    return execFileSync(QNEURO, ['-q', ...args], { cwd, timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`qneuro ${args.join(' ')} failed (status ${e.status}, signal ${e.signal}):\n${e.stderr || ''}${e.stdout || ''}`);
  }
}

/** About `bytes` of plain English for `qneuro flux train --text`. */
export function writeCorpus(path, bytes = 20000) {
  const s =
    'The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore. ' +
    'A journey of a thousand miles begins with a single step. All that glitters is not gold. ' +
    'Better late than never, but never late is better. Time and tide wait for no man.\n';
  writeFileSync(path, s.repeat(Math.ceil(bytes / s.length)).slice(0, bytes));
  return path;
}

/** A synthetic EDF+ recording (1/f background, alpha, an 'eyes open' annotation at half time). */
export function synthEdf(path, { channels = 64, duration = 60, fs = 160, seed = 1 } = {}) {
  cli(['synth', '--channels', String(channels), '--duration', String(duration), '--fs', String(fs), '--seed', String(seed), '--out', path]);
  return path;
}

/**
 * Fixtures under root, made with the CLI (each takes seconds at most):
 *   rec64.edf       64 channels, 60 s at 160 Hz (qneuro synth)
 *   runs/field      qneuro field --preset test --set output.snapshot_every=128
 *   runs/analysis   qneuro analyze rec64.edf
 *   runs/snn        qneuro snn --preset test
 *   runs/lm         qneuro flux train --preset test --text corpus.txt (20 kB of English)
 * `which` picks a subset. Returns the paths.
 */
export function makeFixtures(root, which = ['rec64', 'field', 'analysis', 'snn', 'lm']) {
  const want = new Set(which);
  if (want.has('analysis')) want.add('rec64');
  const out = { root, rec64: join(root, 'rec64.edf'), runs: {} };
  mkdirSync(join(root, 'runs'), { recursive: true });
  if (want.has('rec64')) synthEdf(out.rec64);
  if (want.has('field')) {
    out.runs.field = join(root, 'runs', 'field');
    cli(['field', '--preset', 'test', '--set', 'output.snapshot_every=128', '--out', out.runs.field]);
  }
  if (want.has('analysis')) {
    out.runs.analysis = join(root, 'runs', 'analysis');
    cli(['analyze', out.rec64, '--out', out.runs.analysis]);
  }
  if (want.has('snn')) {
    out.runs.snn = join(root, 'runs', 'snn');
    cli(['snn', '--preset', 'test', '--out', out.runs.snn]);
  }
  if (want.has('lm')) {
    out.runs.lm = join(root, 'runs', 'lm');
    const text = writeCorpus(join(root, 'corpus.txt'));
    cli(['flux', 'train', '--preset', 'test', '--text', text, '--out', out.runs.lm]);
  }
  return out;
}

// ------------------------------------------------------------------ the server

const liveServers = new Set();
process.on('exit', () => {
  // last resort when a test file dies without its cleanup: no server outlives the tests
  for (const p of liveServers) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/**
 * Start `qneuro serve --port 0 --root ROOT ...args` and wait for its URL line. Returns
 * {url (with the trailing /), port, proc, pid, output(), stop()}. pid is the process that
 * serves: `qneuro serve` hands itself over to qneuro-torch with execv, which keeps the pid.
 */
export async function startServer(root, args = [], { timeoutMs = 60000, env } = {}) {
  const proc = spawn(QNEURO, ['serve', '--port', '0', '--root', root, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(env || {}) },
  });
  liveServers.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  exited.then(() => liveServers.delete(proc));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`qneuro serve printed no URL within ${timeoutMs} ms:\n${stdout}${stderr}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = /qneuro dashboard: (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        ok(m[1].endsWith('/') ? m[1] : m[1] + '/');
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`qneuro serve exited (code ${code}, signal ${signal}) before printing its URL:\n${stdout}${stderr}`));
    });
  });
  const port = Number(new URL(url).port);
  let stopping = null;
  return {
    url,
    port,
    proc,
    pid: proc.pid,
    exited,
    output: () => stdout + stderr,
    /** SIGINT, wait up to timeoutMs for the exit, then SIGKILL. Resolves to {code, signal, killed}. */
    stop(timeoutMs = 20000) {
      if (stopping) return stopping;
      stopping = (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return { ...(await exited), killed: false };
        proc.kill('SIGINT');
        let timer;
        const timedOut = new Promise((ok) => (timer = setTimeout(() => ok(null), timeoutMs)));
        const r = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        if (r) return { ...r, killed: false };
        proc.kill('SIGKILL');
        return { ...(await exited), killed: true };
      })();
      return stopping;
    },
  };
}

/** Threads of a process (Linux). */
export function threadCount(pid) {
  return readdirSync(`/proc/${pid}/task`).length;
}

// ------------------------------------------------------------------ HTTP

/**
 * One HTTP request with node:http: the path is sent as given (no normalisation of '..' or
 * %2e%2e), any header may be set (Host included). body: string, Buffer or an object (sent as
 * JSON with Content-Type application/json unless headers say otherwise).
 * Resolves to {status, headers, text, json} (json null when the body is not JSON).
 */
export function request(base, path, { method = 'GET', headers = {}, body, timeoutMs = 120000 } = {}) {
  const u = new URL(base);
  let payload = body;
  const h = { ...headers };
  if (body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string') {
    payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  }
  if (payload !== undefined) h['Content-Length'] = Buffer.byteLength(payload);
  return new Promise((ok, fail) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        ok({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', fail);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', fail);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export const getJSON = (base, path, opts) => request(base, path, opts);
export const postJSON = (base, path, body, opts = {}) => request(base, path, { ...opts, method: 'POST', body });

/** promise, or a rejection after ms (the timer is cleared either way). */
export async function withTimeout(promise, ms, what = 'promise') {
  let timer;
  const t = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll fn() (sync or async) until it returns a truthy value; throws after timeoutMs. */
export async function waitFor(fn, { timeoutMs = 60000, intervalMs = 200, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A Server-Sent Events client (raw node:http). Collects every event: counts per name, the
 * `samples` events' {start, length} (to check that none is missing), the first meta, the last
 * progress, the done event. `ended` resolves when the server ends the stream (or it fails).
 */
export function openEvents(base, path, { keepData = false } = {}) {
  const u = new URL(base);
  const st = {
    status: null,
    headers: null,
    counts: {},
    samples: [], // {start, n, channels}
    meta: null,
    lastProgress: null,
    done: null,
    events: keepData ? [] : null,
    error: null,
    endedCleanly: false,
    body: '',
  };
  let req;
  let buf = '';
  const handle = (block) => {
    let name = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // comment (keepalive)
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) return;
    let d;
    try {
      d = JSON.parse(data.join('\n'));
    } catch (e) {
      st.error = st.error || new Error(`event ${name}: data is not JSON: ${data.join('\n').slice(0, 200)}`);
      return;
    }
    st.counts[name] = (st.counts[name] || 0) + 1;
    if (st.events) st.events.push({ name, data: d });
    if (name === 'meta' && !st.meta) st.meta = d;
    else if (name === 'samples') st.samples.push({ start: d.start, n: Array.isArray(d.data) && d.data[0] ? d.data[0].length : 0, channels: Array.isArray(d.data) ? d.data.length : 0 });
    else if (name === 'progress') st.lastProgress = d;
    else if (name === 'done') st.done = d;
  };
  const ended = new Promise((ok) => {
    req = http.get({ host: u.hostname, port: u.port, path, headers: { Accept: 'text/event-stream' }, agent: false }, (res) => {
      st.status = res.statusCode;
      st.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (st.status !== 200) {
          st.body += chunk;
          return;
        }
        buf += chunk.replace(/\r\n/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          handle(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      });
      res.on('end', () => {
        st.endedCleanly = true;
        ok(st);
      });
      res.on('error', (e) => {
        st.error = st.error || e;
        ok(st);
      });
      res.on('aborted', () => {
        st.error = st.error || new Error('response aborted');
        ok(st);
      });
    });
    req.on('error', (e) => {
      st.error = st.error || e;
      ok(st);
    });
  });
  return { state: st, ended, close: () => req.destroy() };
}

/** The samples events of one stream, in order, cover [0, end) without a gap or overlap? */
export function samplesContiguous(samples) {
  let next = 0;
  for (const s of samples) {
    if (s.start !== next) return { ok: false, at: s.start, expected: next };
    next = s.start + s.n;
  }
  return { ok: true, end: next };
}

// ------------------------------------------------------------------ the browser

export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** chromium through playwright-core; launch() makes a fresh temporary profile. */
export async function launchBrowser() {
  const { chromium } = await import('../node_modules/playwright-core/index.mjs');
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Record what a page does: console errors, uncaught page errors, every request, failed
 * requests, HTTP responses >= 400. `problems()` lists the console/page errors, failed requests
 * and HTTP errors (minus those `expect(urlRegExp)` allowed).
 */
export function watchPage(page) {
  const w = { consoleErrors: [], pageErrors: [], requests: [], failed: [], httpErrors: [], allowed: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => w.pageErrors.push(String((e && e.stack) || e)));
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('requestfailed', (r) => {
    const why = r.failure() ? r.failure().errorText : '?';
    // A page that closes its EventSource (a finished run, another job) aborts the open stream:
    // chromium reports that as a failed request, but it is the normal end of a live view.
    if (why === 'net::ERR_ABORTED' && /\/api\/field\/events\?/.test(r.url())) return;
    w.failed.push(`${r.method()} ${r.url()}: ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) w.httpErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  w.expect = (re) => w.allowed.push(re);
  w.problems = () => {
    const ok = (s) => w.allowed.some((re) => re.test(s));
    return [
      ...w.consoleErrors.filter((s) => !ok(s)).map((s) => `console error: ${s}`),
      ...w.pageErrors.map((s) => `page error: ${s}`),
      ...w.failed.filter((s) => !ok(s)).map((s) => `request failed: ${s}`),
      ...w.httpErrors.filter((s) => !ok(s)).map((s) => `HTTP error: ${s}`),
    ];
  };
  return w;
}

/**
 * Summaries of window.qneuro.plots: per id {kind, version, size (number of data values), keys}.
 * size counts what the figure draws (series values, heatmap cells, raster spikes, trace
 * buckets, polar points).
 */
export function plotSummaries(page) {
  return page.evaluate(() => {
    const count = (d) => {
      if (!d) return 0;
      const len = (a) => (Array.isArray(a) || ArrayBuffer.isView(a) ? a.length : 0);
      const finite = (a) => {
        let n = 0;
        for (const v of a || []) if (v !== null && Number.isFinite(v)) n++;
        return n;
      };
      if (Array.isArray(d.series)) return d.series.reduce((s, x) => s + finite(x.y), 0) * (len(d.x) > 0 ? 1 : 0);
      if (d.values) return finite(d.values);
      if (Array.isArray(d.min)) return d.min.reduce((s, x) => s + finite(x), 0);
      if (Array.isArray(d.t) && Array.isArray(d.n)) return len(d.t);
      if (Array.isArray(d.x)) return d.x.reduce((s, x) => s + finite(x), 0);
      return 0;
    };
    const out = {};
    for (const [id, p] of window.qneuro.plots) {
      out[id] = { kind: p.kind, version: p.version, size: count(p.data), keys: p.data ? Object.keys(p.data) : [] };
    }
    return out;
  });
}

/** toPNG() and toSVG() of one figure: {png: prefix, pngBytes, svg: prefix, svgParses}. */
export function exportFigure(page, id) {
  return page.evaluate(async (id) => {
    const p = window.qneuro.plots.get(id);
    const png = await p.toPNG();
    const svg = p.toSVG();
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    return {
      png: String(png).slice(0, 30),
      pngLength: String(png).length,
      svg: String(svg).slice(0, 30),
      svgLength: String(svg).length,
      svgParses: !doc.querySelector('parsererror') && doc.documentElement.nodeName === 'svg',
      svgElements: doc.documentElement.querySelectorAll('*').length,
    };
  }, id);
}
