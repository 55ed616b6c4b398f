// 50 live event streams (GET /api/field/events) on one field run, held for 60 s: every client
// gets meta, samples, progress and, after /api/field/stop, the done event; the server answers
// other requests meanwhile; no client fails; the serving process has as many threads after the
// clients closed (and the run ended) as before. Runs alone (RUN_SERIAL in ctest): it keeps a
// field run busy for a minute.
//
//   QNEURO=build/bin/qneuro node --test web/tests/streams.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  getJSON,
  makeRoot,
  measure,
  openEvents,
  postJSON,
  removeRoot,
  samplesContiguous,
  startServer,
  threadCount,
  waitFor,
  withTimeout,
} from './helpers.mjs';

const CLIENTS = 50;
const HOLD_MS = 60000;

let root = null;
let srv = null;

before(async () => {
  root = makeRoot('qneuro-web-streams-');
  srv = await startServer(root);
});

after(async () => {
  if (srv) await srv.stop();
  removeRoot(root);
});

test(`${CLIENTS} event streams on one field run for ${HOLD_MS / 1000} s`, { timeout: 400000 }, async () => {
  // warm up the routes once, then count the threads of the process that serves (after the
  // hand-over to qneuro-torch, which execv keeps at the same pid)
  assert.equal((await getJSON(srv.url, '/api/info')).status, 200);
  const threadsBefore = threadCount(srv.pid);

  // far more steps than a minute holds: the run is stopped
  const start = await postJSON(srv.url, '/api/field/start', { preset: 'test', set: { 'time.steps': 2000000 }, out: 'runs/streams' });
  assert.equal(start.status, 200, start.text);
  const job = start.json.job;
  const clients = [];
  let stopped = false;
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(openEvents(srv.url, `/api/field/events?job=${job}`));
    const t0 = Date.now();
    await waitFor(() => clients.every((c) => c.state.status !== null), { timeoutMs: 60000, what: 'a response on every stream' });
    const refused = clients.map((c, i) => [i, c.state.status]).filter(([, s]) => s !== 200);
    assert.deepEqual(refused, [], 'every stream answered 200');
    await waitFor(() => clients.every((c) => c.state.meta && c.state.counts.samples && c.state.counts.progress), {
      timeoutMs: 60000,
      what: 'meta, samples and progress on every stream',
    });
    // the server keeps answering while the streams are open
    const threadsDuring = threadCount(srv.pid);
    for (const path of ['/api/info', '/api/jobs', '/api/schema?engine=field']) {
      const r = await getJSON(srv.url, path, { timeoutMs: 20000 });
      assert.equal(r.status, 200, `${path} while ${CLIENTS} streams are open`);
    }
    const jobs = await getJSON(srv.url, '/api/jobs');
    assert.equal(jobs.json.find((j) => j.job === job).state, 'running');
    // hold them
    const left = HOLD_MS - (Date.now() - t0);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    const failedWhileHeld = clients.map((c, i) => [i, c.state.error && String(c.state.error), c.state.endedCleanly]).filter(([, e, end]) => e || end);
    assert.deepEqual(failedWhileHeld, [], 'no stream failed or ended while held');
    const progressHeld = Math.min(...clients.map((c) => c.state.lastProgress.done));

    assert.equal((await postJSON(srv.url, '/api/field/stop', { job })).status, 200);
    stopped = true;
    const states = await withTimeout(Promise.all(clients.map((c) => c.ended)), 120000, `the end of all ${CLIENTS} streams after stop`);

    const bad = [];
    const ends = new Set();
    for (const [i, s] of states.entries()) {
      if (s.error) bad.push(`client ${i}: ${s.error}`);
      if (!s.endedCleanly) bad.push(`client ${i}: the stream did not end cleanly`);
      for (const name of ['meta', 'samples', 'progress', 'diagnostics', 'done']) if (!s.counts[name]) bad.push(`client ${i}: no ${name} event`);
      if (s.counts.done !== 1) bad.push(`client ${i}: ${s.counts.done} done events`);
      if (!s.done || s.done.state !== 'interrupted') bad.push(`client ${i}: done ${JSON.stringify(s.done && { state: s.done.state, error: s.done.error })}`);
      const c = samplesContiguous(s.samples);
      if (!c.ok) bad.push(`client ${i}: samples not contiguous (${JSON.stringify(c)})`);
      else ends.add(c.end);
      if (s.samples.some((x) => x.channels !== 4)) bad.push(`client ${i}: a samples event without 4 channels`);
    }
    assert.deepEqual(bad, []);
    assert.equal(ends.size, 1, `every client received the same samples (ends: ${[...ends]})`);
    const samples = [...ends][0];
    assert.ok(samples > 0);
    const done = states[0].done;
    assert.equal(done.state, 'interrupted');
    assert.equal((await getJSON(srv.url, `/api/run?dir=${done.out}`)).json.engine, 'field', 'the done event names the interrupted run');
    assert.ok(states.every((s) => s.lastProgress.done >= progressHeld));

    // the threads: the streams' are back in the pool, the run's own have ended
    await waitFor(async () => (await getJSON(srv.url, '/api/jobs')).json.every((j) => j.state !== 'running'), { timeoutMs: 30000, what: 'the run to end' });
    let threadsAfter = threadCount(srv.pid);
    try {
      threadsAfter = await waitFor(() => (threadCount(srv.pid) === threadsBefore ? threadsBefore : 0), { timeoutMs: 15000, what: 'the thread count to settle' });
    } catch {
      threadsAfter = threadCount(srv.pid);
    }
    measure('sse_clients', CLIENTS);
    measure('sse_samples_per_client', samples);
    measure('sse_events_per_client', Object.values(states[0].counts).reduce((a, b) => a + b, 0));
    measure('sse_threads_before', threadsBefore);
    measure('sse_threads_during', threadsDuring);
    measure('sse_threads_after', threadsAfter);
    assert.equal(threadsAfter, threadsBefore, `threads before ${threadsBefore}, with ${CLIENTS} streams ${threadsDuring}, after ${threadsAfter}`);
    assert.equal((await getJSON(srv.url, '/api/info')).status, 200);
  } finally {
    if (!stopped) await postJSON(srv.url, '/api/field/stop', { job }).catch(() => null);
    for (const c of clients) c.close();
  }
});
