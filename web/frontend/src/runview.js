// The run view: everything a run-data JSON (schema qneuro.web.run/1) holds, as the report shows
// it and as the app shows an opened or finished run. Sections appear only for the objects the
// run has.
//
// Figure ids: run-eeg, run-psd, run-bandpower, run-pli, run-wpli, run-diagnostics,
// run-snapshot, run-raster, run-rate, run-voltage, run-training-loss, run-training-accuracy,
// and the flux figures (flux-loss, flux-bpc, flux-polar, flux-evolution, flux-scores,
// flux-coherence).

import { Scope, figure } from './figure.js';
import { el } from './ui.js';
import { fmtValue } from './plots/axes.js';
import { LinePlot } from './plots/line.js';
import { TracesPlot } from './plots/traces.js';
import { renderAnalysis } from './views/analysis.js';
import { DiagnosticsView, SnapshotView } from './views/fieldviews.js';
import { renderSpikes } from './views/spikes.js';
import { renderFlux } from './views/flux.js';
import { Scroller } from './views/scroller.js';

const MAX_ROWS = 120;

// summary values keep 7 significant digits (a norm of 0.999996 must not read as 1)
const fmtFull = (v) => (Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(7))));

/** Scalar entries of a JSON object as [path, text] rows (short arrays joined, long ones counted). */
export function flatten(obj, prefix = '', out = [], depth = 0) {
  if (obj === null || obj === undefined) return out;
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === null || typeof v !== 'object') out.push([key, typeof v === 'number' ? fmtFull(v) : String(v)]);
    else if (Array.isArray(v)) {
      if (v.length <= 8 && v.every((x) => x === null || typeof x !== 'object')) out.push([key, `[${v.map((x) => (typeof x === 'number' ? fmtValue(x) : String(x))).join(', ')}]`]);
      else out.push([key, `[${v.length} values]`]);
    } else if (depth < 4) flatten(v, key, out, depth + 1);
  }
  return out;
}

function summarySection(run) {
  const sec = el('section.run-section', {}, el('h3', { text: 'Summary' }));
  const rows = [['directory', run.dir || '–'], ['engine', run.engine || '–']];
  const r = run.run || {};
  for (const k of ['version', 'git', 'git_hash', 'command', 'command_line', 'threads', 'wall_s', 'wall_time_s', 'started', 'finished']) {
    if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'object') rows.push([`run.${k}`, typeof r[k] === 'number' ? fmtFull(r[k]) : String(r[k])]);
  }
  const flat = flatten(run.summary || {});
  rows.push(...flat.slice(0, MAX_ROWS));
  // key/value pairs flowed into columns: a summary is many short facts
  const wrap = el('div.summary-grid', {}, el('div.kv-grid', {}, rows.map(([k, v]) => el('div.kv-item', { title: `${k} = ${v}` }, el('span.k', { text: k }), el('span.v', { text: v })))));
  if (flat.length > MAX_ROWS) wrap.append(el('div.note', { text: `${flat.length - MAX_ROWS} more entries in summary.json (below)` }));
  sec.append(wrap);
  if (run.summary) sec.append(el('details.section', {}, el('summary', { text: 'summary.json' }), el('pre.code', { text: JSON.stringify(run.summary, null, 2).slice(0, 200000) })));
  if (run.run) sec.append(el('details.section', {}, el('summary', { text: 'run.json' }), el('pre.code', { text: JSON.stringify(run.run, null, 2).slice(0, 200000) })));
  if (run.config_toml) sec.append(el('details.section', {}, el('summary', { text: 'Resolved configuration (config.resolved.toml)' }), el('pre.code', { text: run.config_toml })));
  return sec;
}

/** EEG traces of the whole run (min/max envelopes), with a window to scroll through. */
export function renderEEG(parent, eeg, id, scope) {
  const n = eeg.min && eeg.min[0] ? eeg.min[0].length : 0;
  const duration = eeg.duration_s || n * eeg.step_s;
  const title = `EEG (${eeg.channels.length} channels, ${fmtValue(eeg.fs_hz)} Hz)`;
  let plot = null;
  const scroller = new Scroller({
    duration,
    window: duration > 30 ? 10 : 'all',
    onView: (a, b) => plot.setView(a, b),
    onGain: (g) => plot.setGain(g),
  });
  const f = figure(parent, { id, title, wide: true, scope, controls: [], note: eeg.decimated ? `min/max envelope per pixel column, ${fmtValue(eeg.step_s * 1000)} ms per bucket` : '' }, (b) => new TracesPlot(b, { id, title, xLabel: 'time (s)' }));
  plot = f.plot;
  f.body.prepend(scroller.el);
  scroller.attachWheel(plot.canvas);
  plot.view = scroller.view();
  plot.render({ t0: 0, step_s: eeg.step_s, channels: eeg.channels, min: eeg.min, max: eeg.max, annotations: eeg.annotations || [], decimated: !!eeg.decimated });
  return f;
}

function trainingSection(parent, t, scope) {
  const x = t.epoch || (t.loss || []).map((_, i) => i + 1);
  if (Array.isArray(t.loss)) {
    const f = figure(parent, { id: 'run-training-loss', title: 'Training loss', scope }, (b) => new LinePlot(b, { id: 'run-training-loss', title: 'Training loss', xLabel: 'epoch', yLabel: 'loss', height: 240, points: true }));
    f.plot.render({ x, series: [{ label: 'loss', y: t.loss }] });
  }
  const acc = ['train_accuracy', 'test_accuracy'].filter((k) => Array.isArray(t[k]));
  if (acc.length) {
    const f = figure(parent, { id: 'run-training-accuracy', title: 'Accuracy', scope }, (b) => new LinePlot(b, { id: 'run-training-accuracy', title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy', height: 240, points: true }));
    f.plot.render({ x, series: acc.map((k) => ({ label: k, y: t[k] })) });
  }
}

function section(parent, title) {
  const s = el('section.run-section', {}, el('h3', { text: title }));
  const grid = el('div.fig-grid');
  s.append(grid);
  parent.append(s);
  return { sec: s, grid };
}

/**
 * Render a run into `parent` (emptied first). Returns the Scope of its figures: dispose() it
 * before rendering another run in the same place.
 */
export function renderRun(parent, run, { heading = true } = {}) {
  const scope = new Scope();
  parent.textContent = '';
  if (!run || typeof run !== 'object') {
    parent.append(el('p.note', { text: 'no run data' }));
    return scope;
  }
  if (heading) {
    parent.append(el('h2.run-title', { text: run.title || run.dir || 'run' }));
    parent.append(el('div.note', { text: [run.dir, run.engine, run.schema].filter(Boolean).join(' · ') }));
  }
  parent.append(summarySection(run));
  if (run.eeg && Array.isArray(run.eeg.channels) && run.eeg.min) {
    const { grid } = section(parent, 'EEG');
    renderEEG(grid, run.eeg, 'run-eeg', scope);
  }
  if (run.analysis) {
    const { sec } = section(parent, 'Spectral analysis');
    sec.querySelector('.fig-grid').remove();
    renderAnalysis(sec, run.analysis, 'run', scope);
  }
  if (run.diagnostics && Array.isArray(run.diagnostics.t_s)) {
    const { grid } = section(parent, 'Diagnostics');
    new DiagnosticsView(grid, 'run-diagnostics', scope).update(run.diagnostics);
  }
  if (run.snapshots && Array.isArray(run.snapshots.data) && run.snapshots.data.length) {
    const { grid } = section(parent, 'Snapshots');
    new SnapshotView(grid, 'run-snapshot', scope).update(run.snapshots);
  }
  if (run.spikes) {
    const { grid } = section(parent, 'Spikes');
    renderSpikes(grid, run.spikes, scope);
  }
  if (run.training) {
    const { grid } = section(parent, 'Training');
    trainingSection(grid, run.training, scope);
  }
  if (run.flux) {
    const { sec } = section(parent, 'Flux language model');
    sec.querySelector('.fig-grid').remove();
    renderFlux(sec, run.flux, scope);
  }
  return scope;
}
