// `qneuro report` of a field, snn, analysis (64 channels) and flux run, opened from file:// in
// chromium: no network request at all (only the file itself and data:/blob: URLs), no console
// error, every figure registered with data and drawn (its canvases read back not blank, or an
// SVG with content), PNG/SVG export. Screenshots report-<engine>.png in $QNEURO_WEB_ARTIFACTS;
// MEASURE report_bytes_<engine> and report_open_ms_<engine>.
//
//   QNEURO=build/bin/qneuro node --test web/tests/report.test.mjs

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { artifactsDir, cli, exportFigure, launchBrowser, makeFixtures, makeRoot, measure, plotSummaries, removeRoot, watchPage } from './helpers.mjs';

let root = null;
let fx = null;
let browser = null;

// engine label → [fixture, run-data engine, figures the report must have]
const CASES = {
  field: ['field', 'field', ['run-eeg', 'run-psd', 'run-bandpower', 'run-pli', 'run-diagnostics', 'run-snapshot']],
  snn: ['snn', 'snn', ['run-raster', 'run-rate']],
  analysis: ['analysis', 'analyze', ['run-psd', 'run-bandpower', 'run-pli', 'run-wpli']],
  flux: ['lm', 'flux', ['flux-loss', 'flux-polar', 'flux-evolution', 'flux-scores', 'flux-coherence']],
};

before(async () => {
  root = makeRoot('qneuro-web-report-');
  fx = makeFixtures(root);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close().catch(() => null);
  removeRoot(root);
});

for (const [name, [fixture, engine, need]] of Object.entries(CASES)) {
  test(`report of the ${name} run opens offline with every figure drawn`, { timeout: 180000 }, async () => {
    const file = join(root, `report-${name}.html`);
    cli(['report', fx.runs[fixture], '-o', file]);
    const bytes = statSync(file).size;
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<script type="application\/json" id="qneuro-data">/);
    const embedded = JSON.parse(/<script type="application\/json" id="qneuro-data">([\s\S]*?)<\/script>/.exec(html)[1]);
    assert.equal(embedded.schema, 'qneuro.web.run/1');
    assert.equal(embedded.engine, engine);

    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const watch = watchPage(page);
    try {
      const t0 = Date.now();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 60000, state: 'attached' });
      const openMs = Date.now() - t0;

      // offline: the file itself and nothing else
      const network = watch.requests.filter((u) => u !== url && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(network, [], 'requests other than the report file');
      assert.ok(watch.requests.includes(url));

      const plots = await plotSummaries(page);
      const missing = need.filter((id) => !plots[id]);
      assert.deepEqual(missing, [], `figures missing (registered: ${Object.keys(plots).join(', ')})`);
      const empty = Object.entries(plots).filter(([, p]) => !(p.size > 0)).map(([id, p]) => `${id} (${p.kind})`);
      assert.deepEqual(empty, [], 'figures without data');

      // every figure card is drawn: canvases not blank, or an SVG with elements
      const drawn = await page.evaluate(() => {
        const out = [];
        for (const card of document.querySelectorAll('figure[data-plot-id]')) {
          const id = card.dataset.plotId;
          if (card.hidden) continue; // e.g. a figure its run has no data for
          const canvases = [...card.querySelectorAll('canvas')];
          const svgs = [...card.querySelectorAll('svg')].filter((s) => s.childElementCount > 0);
          const perCanvas = canvases.map((c) => {
            if (!c.width || !c.height) return { w: c.width, h: c.height, ink: 0 };
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let ink = 0;
            for (let i = 0; i < d.length; i += 4) {
              const transparent = d[i + 3] === 0;
              const white = d[i] > 250 && d[i + 1] > 250 && d[i + 2] > 250;
              if (!transparent && !white) ink++;
            }
            return { w: c.width, h: c.height, ink };
          });
          out.push({ id, registered: window.qneuro.plots.has(id), canvases: perCanvas, svgs: svgs.length });
        }
        return out;
      });
      const cards = drawn.map((d) => d.id);
      const unregistered = drawn.filter((d) => !d.registered).map((d) => d.id);
      assert.deepEqual(unregistered, [], 'figure cards without a registered plot');
      for (const id of Object.keys(plots)) assert.ok(cards.includes(id), `${id} has a figure card`);
      const blank = drawn
        .filter((d) => {
          if (d.canvases.length) return d.canvases.some((c) => c.ink === 0) || !d.canvases.some((c) => c.ink > 0);
          return d.svgs === 0;
        })
        .map((d) => `${d.id}: ${JSON.stringify(d.canvases)} svgs ${d.svgs}`);
      assert.deepEqual(blank, [], 'figures whose canvases are blank (all white or transparent)');

      // export of the first required figure
      const e = await exportFigure(page, need[0]);
      assert.ok(e.png.startsWith('data:image/png'), `${need[0]}.toPNG(): ${e.png}`);
      assert.ok(e.svg.startsWith('<svg') && e.svgParses, `${need[0]}.toSVG(): ${e.svg}`);

      const errors = await page.evaluate(() => window.qneuro.errors.map((x) => `${x.context}: ${x.message}`));
      assert.deepEqual(errors, [], 'errors recorded by the report (window.qneuro.errors)');
      assert.deepEqual(watch.problems(), [], 'console errors, page errors, failed requests');
      // nothing fetched after the first draw either
      assert.deepEqual(watch.requests.filter((u) => u !== url && !u.startsWith('data:') && !u.startsWith('blob:')), []);

      await page.screenshot({ path: join(artifactsDir(), `report-${name}.png`), fullPage: true });
      measure(`report_bytes_${name}`, bytes);
      measure(`report_open_ms_${name}`, openMs);
    } finally {
      await page.close();
    }
  });
}
