// The four pages of the dashboard in chromium against `qneuro serve` (hooks: web/frontend/README.md):
// each loads without a console error and marks body[data-ready="1"], every registered figure
// has data, PNG and SVG export work; QLIF sliders re-run the simulation (round trip measured),
// the field monitor streams EEG while a run progresses and shows the finished run, the EEG
// viewer shows a real EDF+ with its annotations and analyses it, the flux viewer shows a flux
// run and generates text. Screenshots in $QNEURO_WEB_ARTIFACTS (qlif.png, field.png, eeg.png,
// flux.png).
//
//   QNEURO=build/bin/qneuro node --test web/tests/pages.test.mjs

import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  EEGMMIDB_EDF,
  artifactsDir,
  exportFigure,
  getJSON,
  launchBrowser,
  makeFixtures,
  makeRoot,
  measure,
  plotSummaries,
  removeRoot,
  startServer,
  watchPage,
} from './helpers.mjs';

let root = null;
let srv = null;
let browser = null;
let eegFile = null; // the recording the EEG viewer opens (relative to the root)

before(async () => {
  root = makeRoot('qneuro-web-pages-');
  makeFixtures(root, ['rec64', 'lm']);
  if (existsSync(EEGMMIDB_EDF)) {
    copyFileSync(EEGMMIDB_EDF, join(root, 'S001R04.edf'));
    eegFile = 'S001R04.edf';
  } else {
    eegFile = 'rec64.edf'; // the synthetic recording has 'eyes closed' / 'eyes open' annotations
  }
  [srv, browser] = await Promise.all([startServer(root), launchBrowser()]);
});

after(async () => {
  if (browser) await browser.close().catch(() => null);
  if (srv) await srv.stop();
  removeRoot(root);
});

/** A new page at URL#hash, watched, with body[data-ready="1"] awaited. */
async function openPage(hash) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const watch = watchPage(page);
  await page.goto(`${srv.url}${hash}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000, state: 'attached' });
  return { page, watch };
}

/** Every registered figure has data; the ids in `need` are among them. Returns the summaries. */
async function checkPlots(page, need) {
  const plots = await plotSummaries(page);
  const missing = need.filter((id) => !plots[id]);
  assert.deepEqual(missing, [], `figures not registered (registered: ${Object.keys(plots).join(', ')})`);
  const empty = Object.entries(plots)
    .filter(([, p]) => !(p.size > 0))
    .map(([id, p]) => `${id} (${p.kind}, keys ${p.keys.join(',')})`);
  assert.deepEqual(empty, [], 'figures without data');
  return plots;
}

async function checkExport(page, id) {
  const e = await exportFigure(page, id);
  assert.ok(e.png.startsWith('data:image/png'), `${id}.toPNG(): ${e.png}`);
  assert.ok(e.pngLength > 1000, `${id}.toPNG() is ${e.pngLength} characters`);
  assert.ok(e.svg.startsWith('<svg'), `${id}.toSVG(): ${e.svg}`);
  assert.ok(e.svgParses && e.svgElements > 3, `${id}.toSVG() parses as SVG with content (${e.svgElements} elements)`);
}

async function finish(page, watch, name) {
  await page.screenshot({ path: join(artifactsDir(), `${name}.png`), fullPage: true });
  const errors = await page.evaluate(() => window.qneuro.errors.map((e) => `${e.context}: ${e.message}`));
  assert.deepEqual(errors, [], 'errors recorded by the page (window.qneuro.errors)');
  assert.deepEqual(watch.problems(), [], 'console errors, failed requests, HTTP errors');
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('QLIF explorer: loads, sliders re-run the population, round trip measured', { timeout: 300000 }, async () => {
  const { page, watch } = await openPage('#qlif');
  try {
    assert.equal(await page.evaluate(() => document.body.dataset.ready), '1');
    const ids = ['qlif-voltage', 'qlif-raster', 'qlif-rate', 'qlif-traces'];
    await page.waitForFunction((ids) => ids.every((id) => window.qneuro.plots.has(id)), ids, { timeout: 60000 });
    await checkPlots(page, ids);
    const status = await page.evaluate(() => ({ runs: Number(document.querySelector('#qlif-status').dataset.runs), text: document.querySelector('#qlif-status').textContent }));
    assert.ok(status.runs >= 1, `#qlif-status data-runs = ${status.runs}`);
    assert.match(status.text, /N = 1000/, 'the default population: 1,000 neurons');
    assert.match(status.text, /T = 1000/, 'the default run: 1,000 steps');

    for (const key of ['neuron.tau', 'input.level']) {
      assert.ok(await page.$(`.ctl[data-key="${key}"] input[type=range]`), `a slider for ${key}`);
    }

    // move a slider: the data behind qlif-voltage change and its version goes up
    const move = (key, frac) =>
      page.evaluate(
        async ({ key, frac }) => {
          const p = window.qneuro.plots.get('qlif-voltage');
          const status = document.querySelector('#qlif-status');
          const runs0 = Number(status.dataset.runs);
          const v0 = p.version;
          const before = JSON.stringify(p.data.series.map((s) => s.y));
          const r = document.querySelector(`.ctl[data-key="${key}"] input[type=range]`);
          const lo = Number(r.min);
          const hi = Number(r.max);
          const t0 = performance.now();
          r.value = String(lo + (hi - lo) * frac);
          r.dispatchEvent(new Event('input', { bubbles: true }));
          r.dispatchEvent(new Event('change', { bubbles: true }));
          await new Promise((ok, fail) => {
            const tick = () => {
              if (p.version > v0 && Number(status.dataset.runs) > runs0) ok();
              else if (performance.now() - t0 > 60000) fail(new Error(`no redraw of qlif-voltage within 60 s after moving ${key}`));
              else requestAnimationFrame(tick);
            };
            tick();
          });
          await new Promise((ok) => requestAnimationFrame(() => ok())); // the redraw is on screen
          const ms = performance.now() - t0;
          return {
            ms,
            v0,
            v1: p.version,
            changed: JSON.stringify(p.data.series.map((s) => s.y)) !== before,
            value: document.querySelector(`.ctl[data-key="${key}"]`).dataset.value,
            points: p.data.series.reduce((n, s) => n + s.y.length, 0),
          };
        },
        { key, frac },
      );

    const first = await move('neuron.tau', 0.8);
    assert.ok(first.v1 > first.v0, 'qlif-voltage version increments');
    assert.ok(first.changed, 'qlif-voltage data.series changed after moving neuron.tau');
    assert.ok(first.points >= 1000, `qlif-voltage has ${first.points} points`);
    const lvl = await move('input.level', 0.7);
    assert.ok(lvl.v1 > lvl.v0 && lvl.changed, 'moving input.level changes qlif-voltage');

    // the round trip for the default 1,000 neurons × 1,000 steps: median of 10 changes
    const times = [];
    for (let i = 0; i < 10; i++) {
      const r = await move('neuron.tau', 0.15 + 0.07 * i);
      assert.ok(r.v1 > r.v0, `change ${i}: redrawn`);
      times.push(r.ms);
    }
    const s = await page.evaluate(() => document.querySelector('#qlif-status').textContent);
    assert.match(s, /T = 1000, N = 1000/, 'still 1,000 neurons × 1,000 steps');
    measure('qlif_round_trip_ms', median(times).toFixed(1));

    await checkPlots(page, ids);
    await checkExport(page, 'qlif-voltage');
    await checkExport(page, 'qlif-raster');
    await finish(page, watch, 'qlif');
  } finally {
    await page.close();
  }
});

test('field monitor: a run started from the page streams EEG, then shows the finished run', { timeout: 600000 }, async () => {
  const { page, watch } = await openPage('#field');
  try {
    assert.equal(await page.evaluate(() => document.body.dataset.ready), '1');
    await checkPlots(page, []);
    // preset test with more steps (seconds), snapshots on
    const sidebar = page.locator('#page-field aside.sidebar');
    const presetSel = sidebar.locator('select').first();
    await page.waitForFunction(() => [...document.querySelectorAll('#page-field aside.sidebar select option')].some((o) => o.value === 'test'), null, { timeout: 30000 });
    await presetSel.selectOption('test');
    const addRow = sidebar.getByRole('button', { name: '+ override' });
    for (const [k, v] of [['time.steps', '30000'], ['output.snapshot_every', '1024']]) {
      await addRow.click();
      const row = sidebar.locator('.kv-row').last();
      await row.locator('input').nth(0).fill(k);
      await row.locator('input').nth(1).fill(v);
    }
    await page.click('#field-start');

    // EEG arrives while the run progresses
    const snap = () =>
      page.evaluate(() => {
        const p = window.qneuro.plots.get('field-eeg');
        const pr = document.querySelector('#field-progress');
        return { n: p && p.data ? p.data.n_samples : 0, done: Number(pr.dataset.done), total: Number(pr.dataset.total), status: document.querySelector('#status').textContent };
      });
    await page.waitForFunction(
      () => {
        const p = window.qneuro.plots.get('field-eeg');
        const pr = document.querySelector('#field-progress');
        const total = Number(pr.dataset.total);
        return (p && p.data && p.data.n_samples > 0 && total > 0) || (total > 0 && pr.dataset.done === pr.dataset.total);
      },
      null,
      { timeout: 120000 },
    );
    const a = await snap();
    assert.ok(a.n > 0 && a.total === 30000 && a.done < a.total, `first look while running: ${JSON.stringify(a)}`);
    assert.match(a.status, /^running \d+%$/);
    await page.waitForFunction(
      (n) => {
        const p = window.qneuro.plots.get('field-eeg');
        const pr = document.querySelector('#field-progress');
        return p.data.n_samples > n || pr.dataset.done === pr.dataset.total;
      },
      a.n,
      { timeout: 120000 },
    );
    const b = await snap();
    assert.ok(b.n > a.n && b.done < b.total, `field-eeg grows while the run progresses: ${JSON.stringify(a)} then ${JSON.stringify(b)}`);
    assert.ok(b.done >= a.done);
    await checkPlots(page, ['field-eeg', 'field-diagnostics']);

    // completion: the finished run's figures
    await page.waitForFunction(() => document.querySelector('#status').textContent === 'completed', null, { timeout: 480000 });
    const need = ['field-eeg', 'field-diagnostics', 'field-snapshot', 'run-eeg', 'run-psd', 'run-bandpower', 'run-diagnostics', 'run-snapshot'];
    await page.waitForFunction((need) => need.every((id) => window.qneuro.plots.has(id)), need, { timeout: 60000 });
    const c = await snap();
    assert.equal(c.done, 30000);
    assert.equal(c.total, 30000);
    const plots = await checkPlots(page, need);
    // the streamed EEG holds the whole run: 30000 steps of 1/1024 s at 256 Hz
    const streamed = await page.evaluate(() => window.qneuro.plots.get('field-eeg').data.n_samples);
    assert.equal(streamed, 7500);
    assert.equal(plots['run-eeg'].kind, 'traces');
    // the job list knows the run
    const jobs = await getJSON(srv.url, '/api/jobs');
    assert.ok(jobs.json.some((j) => j.state === 'completed' && j.done === 30000), JSON.stringify(jobs.json));
    await checkExport(page, 'field-eeg');
    await checkExport(page, 'run-psd');
    await finish(page, watch, 'field');
  } finally {
    await page.close();
  }
});

test('EEG viewer: an EDF+ recording with annotations, then Analyze', { timeout: 300000 }, async () => {
  const meta = await getJSON(srv.url, `/api/eeg/open?file=${encodeURIComponent(eegFile)}`);
  assert.equal(meta.status, 200, meta.text.slice(0, 300));
  assert.ok(meta.json.annotations.length > 0, `${eegFile} has annotations`);
  const { page, watch } = await openPage('#eeg');
  try {
    assert.equal(await page.evaluate(() => document.body.dataset.ready), '1');
    await page.click(`#page-eeg .files .entry[data-path="${eegFile}"] button`, { timeout: 30000 });
    await page.waitForFunction(() => {
      const p = window.qneuro.plots.get('eeg-traces');
      return p && p.version >= 1;
    }, null, { timeout: 60000 });
    const t = await page.evaluate(() => {
      const d = window.qneuro.plots.get('eeg-traces').data;
      return { channels: d.channels, buckets: d.min.map((x) => x.length), annotations: d.annotations, t0: d.t0, step: d.step_s };
    });
    assert.ok(t.channels.length > 0 && t.channels.every((c) => meta.json.channels.includes(c)), `traces of ${t.channels.length} channels`);
    assert.ok(t.buckets.every((n) => n > 0), 'every channel has data');
    // annotations: in the plot's data, counted in the recording info, drawn (labels in the SVG
    // rendition of the same view)
    assert.deepEqual(
      t.annotations.map((a) => [a.onset_s, a.text]),
      meta.json.annotations.map((a) => [a.onset_s, a.text]),
      'the traces carry the recording annotations',
    );
    const info = await page.textContent('#eeg-info');
    assert.ok(info.includes(`${meta.json.annotations.length} annotations`), `#eeg-info: ${info}`);
    const visible = meta.json.annotations.filter((a) => a.onset_s < 10 && a.text);
    assert.ok(visible.length > 0, 'an annotation in the first 10 s');
    const svg = await page.evaluate(() => window.qneuro.plots.get('eeg-traces').toSVG());
    for (const a of visible) assert.ok(svg.includes(`>${a.text}</text>`), `annotation '${a.text}' drawn in the traces`);
    await checkExport(page, 'eeg-traces');

    await page.click('#eeg-analyze');
    const ids = ['eeg-psd', 'eeg-bandpower', 'eeg-pli'];
    await page.waitForFunction((ids) => ids.every((id) => window.qneuro.plots.has(id)), ids, { timeout: 180000 });
    const plots = await checkPlots(page, [...ids, 'eeg-traces']);
    assert.equal(plots['eeg-psd'].kind, 'line');
    assert.equal(plots['eeg-pli'].kind, 'heatmap');
    const pli = await page.evaluate(() => window.qneuro.plots.get('eeg-pli').data);
    assert.equal(pli.rows, meta.json.channels.length);
    assert.equal(pli.cols, meta.json.channels.length);
    await checkExport(page, 'eeg-psd');
    await checkExport(page, 'eeg-pli');
    await finish(page, watch, 'eeg');
  } finally {
    await page.close();
  }
});

test('flux viewer: a flux training run, and text generated from a prompt', { timeout: 300000 }, async () => {
  const { page, watch } = await openPage('#flux');
  try {
    assert.equal(await page.evaluate(() => document.body.dataset.ready), '1');
    await page.click('#page-flux .files .entry[data-path="runs"] .name', { timeout: 30000 });
    await page.click('#page-flux .files .entry[data-path="runs/lm"] button', { timeout: 30000 });
    const ids = ['flux-polar', 'flux-scores', 'flux-loss', 'flux-evolution', 'flux-coherence'];
    await page.waitForFunction((ids) => ids.every((id) => window.qneuro.plots.has(id)), ids, { timeout: 60000 });
    const plots = await checkPlots(page, ids);
    assert.equal(plots['flux-polar'].kind, 'polar');
    assert.equal(plots['flux-scores'].kind, 'heatmap');

    const torch = (await getJSON(srv.url, '/api/info')).json.torch;
    assert.equal(torch, true, 'this qneuro has LibTorch (qneuro serve hands over to qneuro-torch)');
    await page.waitForSelector('#flux-generate:not([disabled])', { timeout: 30000 });
    await page.fill('#flux-prompt', 'The quick ');
    await page.fill('#flux-tokens', '40');
    await page.click('#flux-generate');
    await page.waitForSelector('#flux-output:not([hidden]) .generated', { timeout: 120000 });
    const out = await page.evaluate(() => ({ prompt: document.querySelector('#flux-output .prompt').textContent, text: document.querySelector('#flux-output .generated').textContent }));
    assert.equal(out.prompt, 'The quick ');
    assert.ok(out.text.length > 0 && out.text.length <= 40, `generated ${JSON.stringify(out.text)} (40 character tokens asked)`);
    await checkExport(page, 'flux-polar');
    await checkExport(page, 'flux-scores');
    await finish(page, watch, 'flux');
  } finally {
    await page.close();
  }
});
