// Offline check of the report: builds the bundle, writes an HTML file the way `qneuro report`
// does (CSS, run-data JSON and JS inlined), opens it from file:// in Debian's chromium through
// playwright-core, and checks: no console error, no page error, no network request, every
// figure registered with data, PNG and SVG export of every figure, every figure select works.
// Saves a screenshot to /tmp/report-check.png.
//
//   node web/frontend/dev/check-report.mjs [run-data.json] [--keep]
//
// Exit status 0 when all checks pass.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '..', '..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const dataPath = args[0] || join(here, 'sample-run.json');
// The sample is generated (deterministic), not committed.
if (!args[0] && !existsSync(dataPath)) execFileSync(process.execPath, [join(here, 'make-sample-run.mjs')], { stdio: 'inherit' });
const work = '/tmp/qneuro-report-check';
mkdirSync(work, { recursive: true });

execFileSync(process.execPath, [join(web, 'build.mjs'), '--outdir', join(work, 'assets')], { stdio: 'inherit' });
const js = readFileSync(join(work, 'assets', 'app.js'), 'utf8');
const css = readFileSync(join(work, 'assets', 'app.css'), 'utf8');
const json = readFileSync(dataPath, 'utf8').replace(/<\//g, '<\\/'); // as the C++ side escapes it
const run = JSON.parse(readFileSync(dataPath, 'utf8'));
const title = String(run.title || 'qneuro report').replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
const html =
  // as web/src/report.cpp writes it, with its Content-Security-Policy (no fetch of any kind)
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">` +
  `<title>${title}</title><style>${css}</style></head>` +
  `<body><script type="application/json" id="qneuro-data">${json}</script><script>${js}</script></body></html>`;
const file = join(work, 'report.html');
writeFileSync(file, html);
const fileUrl = pathToFileURL(file).href;

const problems = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== fileUrl && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(fileUrl);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });

  const report = await page.evaluate(async () => {
    const q = window.qneuro;
    const out = { plots: [], missing: [], errors: q.errors.slice() };
    for (const [id, p] of q.plots) {
      const d = p.data;
      let size = 0;
      if (d && d.series) size = d.series.reduce((s, x) => s + x.y.length, 0);
      else if (d && d.values) size = d.values.length;
      else if (d && d.t) size = d.t.length;
      else if (d && d.min) size = d.min.reduce((s, x) => s + x.length, 0);
      else if (d && d.x) size = d.x.reduce((s, x) => s + x.length, 0);
      const svg = p.toSVG();
      const png = await p.toPNG();
      const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml');
      out.plots.push({
        id,
        kind: p.kind,
        version: p.version,
        size,
        svg: svg.length,
        svgOk: svg.startsWith('<svg') && !parsed.querySelector('parsererror'),
        png: png.length,
        pngOk: png.startsWith('data:image/png'),
        hasElement: !!document.querySelector(`[data-plot-id="${id}"]`),
      });
    }
    for (const e of document.querySelectorAll('[data-plot-id]')) if (!q.plots.has(e.dataset.plotId)) out.missing.push(e.dataset.plotId);
    return out;
  });
  for (const p of report.plots) {
    const ok = p.size > 0 && p.svgOk && p.pngOk && p.hasElement && p.version >= 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${p.id.padEnd(22)} ${p.kind.padEnd(8)} v${p.version} n=${p.size} svg=${(p.svg / 1024).toFixed(0)}KiB png=${(p.png / 1024).toFixed(0)}KiB`);
    if (!ok) problems.push(`figure ${p.id} incomplete: ${JSON.stringify(p)}`);
  }
  const plottable = ['eeg', 'analysis', 'diagnostics', 'snapshots', 'spikes', 'flux', 'training'].filter((k) => run[k]);
  if (!report.plots.length && plottable.length) problems.push(`no figures registered, but the run has ${plottable.join(', ')}`);
  for (const m of report.missing) problems.push(`figure element without a registered plot: ${m}`);
  for (const e of report.errors) problems.push(`recorded error: ${JSON.stringify(e)}`);

  // every select of every figure: each option redraws without an error
  const selects = await page.evaluate(() => {
    let n = 0;
    for (const s of document.querySelectorAll('figure select')) {
      const initial = s.value;
      const fig = s.closest('[data-plot-id]');
      const plot = window.qneuro.plots.get(fig.dataset.plotId);
      for (const o of Array.from(s.options)) {
        const v0 = plot.version;
        s.value = o.value;
        s.dispatchEvent(new Event('change'));
        if (plot.version === v0 && s.closest('.scroller') === null) throw new Error(`select in ${fig.dataset.plotId} did not redraw`);
        n++;
      }
      s.value = initial;
      s.dispatchEvent(new Event('change'));
    }
    return { n, errors: window.qneuro.errors.length };
  });
  console.log(`exercised ${selects.n} select options`);
  if (selects.errors) problems.push(`${selects.errors} errors after exercising the selects`);

  // the PNG and SVG buttons of the first figure produce downloads
  if (report.plots.length) {
    const sel = `[data-plot-id="${report.plots[0].id}"] .fig-export button`;
    for (const [nth, ext] of [[0, '.png'], [1, '.svg']]) {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 5000 }), page.locator(sel).nth(nth).click()]);
      if (!download.suggestedFilename().endsWith(ext)) problems.push(`${ext} button: no ${ext} download`);
    }
  }

  await page.screenshot({ path: '/tmp/report-check.png', fullPage: true });
  // the same in viewport-sized parts, easier to look at
  const total = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0, i = 0; y < total; y += 900, i++) await page.screenshot({ path: `/tmp/report-check-${i}.png`, clip: { x: 0, y, width: 1400, height: Math.min(900, total - y) }, fullPage: true });
  console.log(`report: ${file} (${(html.length / 1024).toFixed(0)} KiB), screenshot: /tmp/report-check.png`);
} finally {
  await browser.close();
}

if (problems.length) {
  console.log('\nPROBLEMS:\n' + problems.join('\n'));
  process.exit(1);
}
console.log('all checks passed');
