// The dashboard server over HTTP, no browser (docs/dev/dashboard-api.md): paths confined to the
// root, upload limits, errors as {error, key} with the status the contract names, a failing
// field run that leaves the server serving, the Host check, the replay of a finished job and
// the event-stream limit. The 50-client stream test is web/tests/streams.test.mjs.
//
//   QNEURO=build/bin/qneuro node --test web/tests/server.test.mjs

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  getJSON,
  makeFixtures,
  makeRoot,
  openEvents,
  postJSON,
  removeRoot,
  request,
  samplesContiguous,
  startServer,
  synthEdf,
  waitFor,
  withTimeout,
} from './helpers.mjs';

let root = null;
let outside = null;
let fx = null;
let srv = null; // default limits
let small = null; // --max-upload 1 --max-streams 2

before(async () => {
  root = makeRoot('qneuro-web-server-');
  outside = makeRoot('qneuro-web-outside-');
  fx = makeFixtures(root, ['rec64', 'field']);
  // outside the root: a recording and a run directory, reachable only through symlinks
  synthEdf(join(outside, 'small.edf'), { channels: 8, duration: 10 });
  mkdirSync(join(outside, 'run'));
  for (const f of ['summary.json', 'run.json', 'config.resolved.toml']) copyFileSync(join(fx.runs.field, f), join(outside, 'run', f));
  symlinkSync(outside, join(root, 'out-link'));
  symlinkSync(join(outside, 'small.edf'), join(root, 'out-file.edf'));
  symlinkSync(join(outside, 'run'), join(root, 'out-run'));
  // a run directory inside the root whose summary.json is a link to a file outside it
  mkdirSync(join(root, 'mixed-run'));
  copyFileSync(join(fx.runs.field, 'run.json'), join(root, 'mixed-run', 'run.json'));
  symlinkSync(join(outside, 'run', 'summary.json'), join(root, 'mixed-run', 'summary.json'));
  // a small recording for the upload under the limit
  synthEdf(join(root, 'up.edf'), { channels: 8, duration: 10 });
  [srv, small] = await Promise.all([startServer(root), startServer(root, ['--max-upload', '1', '--max-streams', '2'])]);
});

after(async () => {
  await Promise.all([srv && srv.stop(), small && small.stop()]);
  removeRoot(root);
  removeRoot(outside);
});

const q = encodeURIComponent;
// [route, parameter, a path inside the root that the route serves with 200]
const ROUTES = [
  ['/api/eeg/open', 'file', 'rec64.edf'],
  ['/api/files', 'dir', 'runs'],
  ['/api/run', 'dir', 'runs/field'],
];

test('the routes serve paths inside the root (control for the 403 tests)', async () => {
  for (const [route, param, good] of ROUTES) {
    const r = await getJSON(srv.url, `${route}?${param}=${q(good)}`);
    assert.equal(r.status, 200, `${route}?${param}=${good}: ${r.text.slice(0, 300)}`);
  }
  const run = await getJSON(srv.url, '/api/run?dir=runs/field');
  assert.equal(run.json.schema, 'qneuro.web.run/1');
  assert.equal(run.json.engine, 'field');
});

test('path traversal, absolute paths and symlinks out of the root get 403 naming the parameter', async () => {
  const attempts = (route, param) => {
    const raw = ['../x', '%2e%2e/x', '%2E%2E/x', '..%2fx', 'runs/../../x', '/etc/passwd', '%2fetc%2fpasswd', 'out-link'];
    if (route === '/api/eeg/open') raw.push('out-link/small.edf', 'out-file.edf');
    if (route === '/api/run') raw.push('out-run', 'out-link/run', 'mixed-run');
    if (route === '/api/files') raw.push('out-run', 'out-link/run');
    // values written into the query as they are (the %-escapes are the server's to decode)
    return raw.map((v) => `${route}?${param}=${v}`);
  };
  const wrong = [];
  for (const [route, param] of ROUTES) {
    for (const path of attempts(route, param)) {
      const r = await getJSON(srv.url, path);
      if (r.status !== 403 || !r.json || r.json.key !== param || !r.json.error) wrong.push(`${path} → ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.deepEqual(wrong, [], 'expected 403 {"error", "key": param} for each');
  // the file browser does not list the links that lead out
  const list = await getJSON(srv.url, '/api/files?dir=.');
  assert.equal(list.status, 200);
  const names = list.json.entries.map((e) => e.name);
  assert.ok(names.includes('rec64.edf') && names.includes('runs'), `listing: ${names}`);
  for (const n of ['out-link', 'out-file.edf', 'out-run']) assert.ok(!names.includes(n), `${n} (a symlink out of the root) is listed`);
});

test('an upload over --max-upload gets 413; one under it is stored and opens', async () => {
  const big = await request(small.url, '/api/upload?name=x.edf', {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: Buffer.alloc(2 << 20, 0x20),
  });
  assert.equal(big.status, 413, big.text.slice(0, 300));
  assert.ok(big.json && big.json.error, `413 body is {error, key}: ${big.text.slice(0, 300)}`);
  const info = await getJSON(small.url, '/api/info');
  assert.equal(info.json.max_upload_bytes, 1 << 20);

  const edf = readFileSync(join(root, 'up.edf'));
  assert.ok(edf.length < 1 << 20);
  const up = await request(small.url, '/api/upload?name=rec%20one.edf', {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: edf,
  });
  assert.equal(up.status, 200, up.text);
  assert.match(up.json.file, /^uploads\/[A-Za-z0-9._-]+\.edf$/);
  const open = await getJSON(small.url, `/api/eeg/open?file=${q(up.json.file)}`);
  assert.equal(open.status, 200, open.text.slice(0, 300));
  assert.equal(open.json.channels.length, 8);
  assert.equal(open.json.fs_hz, 160);
  assert.ok(Math.abs(open.json.duration_s - 10) < 1e-6);
  const win = await getJSON(small.url, `/api/eeg/window?file=${q(up.json.file)}&t0=0&t1=2&px=100&channels=0,1`);
  assert.equal(win.status, 200, win.text.slice(0, 300));
  assert.equal(win.json.min.length, 2);
  assert.ok(win.json.min[0].length > 0 && win.json.min[0].length <= 320);
});

test('upload names are sanitised into uploads/ and limited to recording extensions', async () => {
  const edf = readFileSync(join(root, 'up.edf'));
  const sneaky = await request(srv.url, `/api/upload?name=${q('../../evil.edf')}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: edf,
  });
  assert.equal(sneaky.status, 200, sneaky.text);
  assert.match(sneaky.json.file, /^uploads\/[^/]+\.edf$/, `stored as ${sneaky.json.file}`);
  for (const name of ['page.html', 'run.sh', 'noext']) {
    const r = await request(srv.url, `/api/upload?name=${name}`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: 'hello' });
    assert.equal(r.status, 400, `${name}: ${r.text}`);
    assert.equal(r.json.key, 'name');
  }
});

test('malformed parameters and bodies get 400 {error, key} naming the key', async () => {
  const cases = [
    ['GET px=abc', () => getJSON(srv.url, '/api/eeg/window?file=rec64.edf&px=abc'), 'px'],
    ['GET px=0', () => getJSON(srv.url, '/api/eeg/window?file=rec64.edf&px=0'), 'px'],
    ['GET t0=nan', () => getJSON(srv.url, '/api/eeg/window?file=rec64.edf&t0=nan'), 't0'],
    ['GET channels=999', () => getJSON(srv.url, '/api/eeg/window?file=rec64.edf&channels=999'), 'channels'],
    ['POST qlif neuron.tau=-1', () => postJSON(srv.url, '/api/qlif', { set: { 'neuron.tau': -1 } }), 'neuron.tau'],
    ['POST qlif neuron.tau="abc"', () => postJSON(srv.url, '/api/qlif', { set: { 'neuron.tau': 'abc' } }), 'neuron.tau'],
    ['POST qlif unknown key', () => postJSON(srv.url, '/api/qlif', { set: { 'neuron.no_such_key': 1 } }), 'neuron.no_such_key'],
    ['POST qlif too many neuron-steps', () => postJSON(srv.url, '/api/qlif', { set: { 'sim.neurons': 20000, 'sim.steps': 1000 } }), 'sim.neurons'],
    ['POST resolve unknown key', () => postJSON(srv.url, '/api/resolve', { engine: 'field', set: { 'grid.no_such_key': 1 } }), 'grid.no_such_key'],
    ['POST field/start bad value', () => postJSON(srv.url, '/api/field/start', { preset: 'test', set: { 'time.steps': -5 }, out: 'runs/bad' }), 'time.steps'],
    ['POST text/plain', () => request(srv.url, '/api/qlif', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }), 'Content-Type'],
    ['POST form', () => request(srv.url, '/api/field/start', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'preset=test' }), 'Content-Type'],
    ['POST invalid JSON', () => request(srv.url, '/api/qlif', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"set": {' }), 'body'],
    ['GET schema engine=nope', () => getJSON(srv.url, '/api/schema?engine=nope'), 'engine'],
    ['GET schema without engine', () => getJSON(srv.url, '/api/schema'), 'engine'],
  ];
  const wrong = [];
  for (const [what, send, key] of cases) {
    const r = await send();
    const ok = r.status === 400 && r.json && typeof r.json.error === 'string' && r.json.error.length > 0 && r.json.key === key;
    if (!ok) wrong.push(`${what}: expected 400 key '${key}', got ${r.status} ${r.text.slice(0, 240)}`);
  }
  assert.deepEqual(wrong, []);
  // nothing was started by the refused field run
  const jobs = await getJSON(srv.url, '/api/jobs');
  assert.ok(!jobs.json.some((j) => j.out === 'runs/bad'), JSON.stringify(jobs.json));
});

test('an unknown key is named as sent, also when its first part is unknown', async () => {
  // the page marks the override row whose key equals the error's key
  const wrong = [];
  for (const [route, body] of [
    ['/api/qlif', { set: { 'nosuch.key': 1 } }],
    ['/api/resolve', { engine: 'field', set: { 'nosuch.key': 1 } }],
    ['/api/field/start', { preset: 'test', set: { 'nosuch.key': 1 }, out: 'runs/bad2' }],
  ]) {
    const r = await postJSON(srv.url, route, body);
    if (r.status !== 400 || !r.json || r.json.key !== 'nosuch.key') wrong.push(`${route} set nosuch.key: ${r.status} ${r.text.slice(0, 240)}`);
  }
  assert.deepEqual(wrong, [], 'expected 400 with key "nosuch.key"');
});

test('unknown run, file and job get 404 naming the parameter', async () => {
  for (const [path, key] of [
    ['/api/run?dir=rec64.edf', 'dir'],
    ['/api/run?dir=no/such/dir', 'dir'],
    ['/api/eeg/open?file=nope.edf', 'file'],
    ['/api/field/events?job=f999', 'job'],
  ]) {
    const r = await getJSON(srv.url, path);
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.equal(r.json.key, key, `${path}: ${r.text}`);
  }
  const stop = await postJSON(srv.url, '/api/field/stop', { job: 'f999' });
  assert.equal(stop.status, 404, stop.text);
});

test('/api/schema answers for every engine /api/info lists', async () => {
  const info = await getJSON(srv.url, '/api/info');
  assert.equal(info.status, 200);
  assert.deepEqual(info.json.engines, ['snn', 'field', 'analyze', 'flux']);
  const bad = [];
  for (const engine of info.json.engines) {
    const r = await getJSON(srv.url, `/api/schema?engine=${engine}`);
    if (r.status !== 200 || !Array.isArray(r.json.keys) || !r.json.keys.length || !Array.isArray(r.json.presets)) bad.push(`${engine}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.deepEqual(bad, [], 'the contract lists engine=snn|field|analyze|flux');
});

test('a field run that fails at run time reports its error and the server keeps serving', async () => {
  // the output directory lies under a regular file: the config is valid, creating the
  // directory fails once the run starts
  const start = await postJSON(srv.url, '/api/field/start', { preset: 'test', out: 'rec64.edf/sub' });
  assert.equal(start.status, 200, start.text);
  const job = start.json.job;
  const ev = openEvents(srv.url, `/api/field/events?job=${job}`);
  const st = await withTimeout(ev.ended, 60000, 'the done event');
  assert.equal(st.status, 200);
  assert.ok(st.done, `the stream ended with a done event: ${JSON.stringify(st.counts)}`);
  assert.equal(st.done.state, 'failed');
  assert.ok(st.done.error && st.done.error.length > 0, 'the done event carries the error');
  const jobs = await getJSON(srv.url, '/api/jobs');
  const j = jobs.json.find((x) => x.job === job);
  assert.equal(j.state, 'failed');
  assert.ok(j.error.length > 0);
  // still serving
  const info = await getJSON(srv.url, '/api/info');
  assert.equal(info.status, 200);
  const qlif = await postJSON(srv.url, '/api/qlif', { set: { 'sim.neurons': 50, 'sim.steps': 100 } });
  assert.equal(qlif.status, 200, qlif.text.slice(0, 200));
});

test('resuming a directory that is not resumable is refused with a message naming dir', async () => {
  const r = await postJSON(srv.url, '/api/field/resume', { dir: 'runs/field' }); // no checkpoint.h5
  assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
  assert.ok(r.json && /checkpoint/.test(r.json.error), r.text);
  const info = await getJSON(srv.url, '/api/info');
  assert.equal(info.status, 200);
  assert.equal(r.json.key, 'dir', `the offending parameter is dir: ${r.text}`);
});

test('a recording that is not EDF is refused with 400 naming file', async () => {
  writeFileSync(join(root, 'garbage.edf'), Buffer.alloc(4096, 0x41));
  const r = await getJSON(srv.url, '/api/eeg/open?file=garbage.edf');
  assert.equal(r.status, 400, r.text);
  assert.ok(r.json.error.length > 0);
  assert.equal(r.json.key, 'file', r.text);
});

test('a Host header that is not this machine gets 403 (DNS rebinding)', async () => {
  for (const host of ['evil.example.com', `evil.example.com:${srv.port}`, `127.0.0.1.evil.example.com:${srv.port}`]) {
    const r = await request(srv.url, '/api/info', { headers: { Host: host } });
    assert.equal(r.status, 403, `Host ${host}: ${r.text}`);
    assert.equal(r.json.key, 'Host');
  }
  for (const path of ['/', '/assets/app.js']) {
    const r = await request(srv.url, path, { headers: { Host: 'evil.example.com' } });
    assert.equal(r.status, 403, `${path} with Host evil.example.com`);
  }
  for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`]) {
    const r = await request(srv.url, '/api/info', { headers: { Host: host } });
    assert.equal(r.status, 200, `Host ${host}`);
  }
});

test('a client that connects after a run finished gets the whole run replayed', async () => {
  const STEPS = 8192;
  // long enough for several batches of live events (one about every 200 ms)
  const start = await postJSON(srv.url, '/api/field/start', { preset: 'test', set: { 'time.steps': STEPS, 'output.snapshot_every': 512 }, out: 'runs/replayed' });
  assert.equal(start.status, 200, start.text);
  const job = start.json.job;
  const live = openEvents(srv.url, `/api/field/events?job=${job}`);
  const a = await live.ended;
  assert.equal(a.done && a.done.state, 'completed', JSON.stringify(a.done && { state: a.done.state, error: a.done.error }));
  // the done event names the finished run, whose data /api/run serves
  assert.equal(a.done.out, 'runs/replayed');
  assert.equal(a.done.run_dir, true);
  const run = await getJSON(srv.url, `/api/run?dir=${a.done.out}`);
  assert.equal(run.json.engine, 'field');
  assert.ok(run.json.eeg && run.json.analysis, 'the finished run has eeg and analysis');
  const late = openEvents(srv.url, `/api/field/events?job=${job}`);
  const b = await late.ended;
  assert.equal(b.status, 200);
  assert.ok(b.meta && b.done && b.lastProgress, `late client got ${JSON.stringify(b.counts)}`);
  const n = STEPS / 4; // steps of 1/1024 s, samples at 256 Hz
  assert.ok(a.counts.samples > 1, `the live client got ${a.counts.samples} samples events: too few to tell a replay`);
  for (const [who, s] of [['live', a], ['late', b]]) {
    const c = samplesContiguous(s.samples);
    assert.ok(c.ok, `${who}: samples not contiguous: ${JSON.stringify(c)}`);
    assert.equal(c.end, n, `${who}: ${c.end} samples, the run has ${n}`);
    assert.equal(s.lastProgress.done, STEPS);
    assert.equal(s.lastProgress.total, STEPS);
    assert.ok((s.counts.snapshot || 0) >= 1, `${who}: snapshots`);
    assert.equal(s.meta.fs_hz, 256);
    assert.deepEqual(s.meta.channels, ['E0_0', 'E0_1', 'E1_0', 'E1_1']);
  }
  assert.equal(b.done.state, 'completed');
  // what the contract says beyond that: meta has the run's total_steps; the replay is the
  // state so far: "all samples so far as one event", the "last progress"
  const deviations = [];
  for (const [who, s] of [['live', a], ['late', b]]) {
    if (s.meta.total_steps !== STEPS) deviations.push(`${who}: meta.total_steps = ${s.meta.total_steps}, the run has ${STEPS}`);
  }
  if (b.counts.samples !== 1) deviations.push(`late: ${b.counts.samples} replayed samples events (contract: one)`);
  if (b.counts.progress !== 1) deviations.push(`late: ${b.counts.progress} replayed progress events (contract: the last one)`);
  assert.deepEqual(deviations, []);
});

test('an event stream beyond --max-streams gets 503, and a closed one frees its slot', async () => {
  const start = await postJSON(small.url, '/api/field/start', { preset: 'test', set: { 'time.steps': 200000 }, out: 'runs/streams-limit' });
  assert.equal(start.status, 200, start.text);
  const job = start.json.job;
  const path = `/api/field/events?job=${job}`;
  const open = [];
  try {
    open.push(openEvents(small.url, path), openEvents(small.url, path));
    await waitFor(() => open.every((c) => c.state.meta), { timeoutMs: 60000, what: 'meta on both streams' });
    assert.ok(open.every((c) => c.state.status === 200));
    const third = openEvents(small.url, path);
    const s3 = await third.ended;
    assert.equal(s3.status, 503, `third stream: ${s3.status} ${s3.body}`);
    assert.equal(JSON.parse(s3.body).key, 'job');
    // close one: its slot comes back once the server notices (at its next write)
    open.shift().close();
    const again = await waitFor(
      async () => {
        const c = openEvents(small.url, path);
        await waitFor(() => c.state.status !== null, { timeoutMs: 10000, what: 'a status' });
        if (c.state.status === 200) return c;
        await c.ended;
        return null;
      },
      { timeoutMs: 30000, intervalMs: 500, what: 'a free stream slot after closing one' },
    );
    open.push(again);
    await waitFor(() => again.state.meta, { timeoutMs: 20000, what: 'meta on the new stream' });
  } finally {
    await postJSON(small.url, '/api/field/stop', { job });
    await Promise.all(open.map((c) => withTimeout(c.ended, 30000, 'the end of the stream').catch(() => null)));
    for (const c of open) c.close();
  }
  for (const c of open) assert.equal(c.state.done && c.state.done.state, 'interrupted');
});

test('a stopped field run ends interrupted with a checkpoint, and resume continues it to completion', async () => {
  const STEPS = 200000; // far longer than the test: it is stopped
  const start = await postJSON(srv.url, '/api/field/start', { preset: 'test', set: { 'time.steps': STEPS }, out: 'runs/stop-resume' });
  assert.equal(start.status, 200, start.text);
  const job = start.json.job;
  // wait until it has advanced, then stop it
  const deadline = Date.now() + 120000;
  for (;;) {
    const j = (await getJSON(srv.url, '/api/jobs')).json.find((x) => x.job === job);
    if (j.done > 0) break;
    assert.ok(Date.now() < deadline, 'the run made no progress');
    await new Promise((r) => setTimeout(r, 100));
  }
  const resumeEarly = await postJSON(srv.url, '/api/field/resume', { dir: 'runs/stop-resume' });
  assert.equal(resumeEarly.status, 409, `resume of a running run: ${resumeEarly.text}`);
  assert.equal(resumeEarly.json.key, 'dir');
  assert.equal((await postJSON(srv.url, '/api/field/stop', { job })).status, 200);
  const stopped = await withTimeout(openEvents(srv.url, `/api/field/events?job=${job}`).ended, 120000, 'the done event of the stopped run');
  assert.equal(stopped.done.state, 'interrupted');
  assert.equal(stopped.done.error, '', 'a requested stop is not an error');
  assert.match(stopped.done.reason, /interrupt/);
  const doneSteps = stopped.lastProgress.done;
  assert.ok(doneSteps > 0 && doneSteps < STEPS);
  assert.ok(existsSync(join(root, 'runs', 'stop-resume', 'checkpoint.h5')), 'the stop wrote checkpoint.h5');
  // resume to a few hundred steps beyond where it stopped
  const target = doneSteps + 256;
  const resume = await postJSON(srv.url, '/api/field/resume', { dir: 'runs/stop-resume', set: { 'time.steps': target } });
  assert.equal(resume.status, 200, resume.text);
  const resumed = await withTimeout(openEvents(srv.url, `/api/field/events?job=${resume.json.job}`).ended, 120000, 'the done event of the resumed run');
  assert.equal(resumed.done.state, 'completed', JSON.stringify({ error: resumed.done.error }));
  assert.equal(resumed.lastProgress.done, target);
  assert.equal(resumed.meta.total_steps, target);
  const run = await getJSON(srv.url, '/api/run?dir=runs/stop-resume');
  assert.equal(run.status, 200);
  assert.equal(run.json.summary.field.status, 'completed');
});

test('a second run into the directory of a running one is refused (409 naming out)', async () => {
  const first = await postJSON(srv.url, '/api/field/start', { preset: 'test', set: { 'time.steps': 200000 }, out: 'runs/dup' });
  assert.equal(first.status, 200, first.text);
  try {
    const second = await postJSON(srv.url, '/api/field/start', { preset: 'test', out: 'runs/dup' });
    assert.equal(second.status, 409, second.text);
    assert.equal(second.json.key, 'out');
  } finally {
    await postJSON(srv.url, '/api/field/stop', { job: first.json.job });
    await withTimeout(openEvents(srv.url, `/api/field/events?job=${first.json.job}`).ended, 120000, 'the stopped run to end');
  }
});
