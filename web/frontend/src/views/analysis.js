// The spectral analysis of a recording (the run-data `analysis` object, also what
// POST /api/eeg/analyze returns): PSD with the aperiodic fit, band power per channel, PLI and
// wPLI per band, and a per-channel table. Used by the run view (prefix 'run') and the EEG viewer
// (prefix 'eeg').
//
// Figure ids: `${prefix}-psd`, `${prefix}-bandpower`, `${prefix}-pli`, `${prefix}-wpli`.

import { figure } from '../figure.js';
import { LinePlot } from '../plots/line.js';
import { HeatmapPlot } from '../plots/heatmap.js';
import { seriesColor } from '../plots/colormap.js';
import { fmtValue } from '../plots/axes.js';
import { el, select, table } from '../ui.js';

/** P(f) = 10^(offset − exponent log10 f) on the fit range, null elsewhere (a gap in the plot). */
export function aperiodicFit(freqs, offset, exponent, range) {
  const [lo, hi] = range || [freqs[1] || 1, freqs[freqs.length - 1]];
  return freqs.map((f) => (f > 0 && f >= lo && f <= hi && Number.isFinite(offset) && Number.isFinite(exponent) ? Math.pow(10, offset - exponent * Math.log10(f)) : null));
}

function psdData(a, which) {
  const idx = which === 'all' ? a.channels.map((_, i) => i) : [Number(which)];
  const series = [];
  const hasFit = Array.isArray(a.aperiodic_offset) && Array.isArray(a.aperiodic_exponent);
  for (const k of idx) series.push({ label: String(a.channels[k]), y: a.psd[k], color: seriesColor(k) });
  if (hasFit) {
    for (const k of idx) {
      series.push({
        label: `${a.channels[k]} fit`,
        y: aperiodicFit(a.freqs, a.aperiodic_offset[k], a.aperiodic_exponent[k], a.aperiodic_range_hz),
        color: seriesColor(k),
        dash: [5, 4],
        width: 1.2,
      });
    }
  }
  return { x: a.freqs, series, channel: which };
}

function bandData(a, measure) {
  const rel = measure === 'relative';
  const src = rel ? a.relative_power : a.band_power;
  const values = [];
  for (let c = 0; c < a.channels.length; c++) {
    for (let b = 0; b < a.bands.length; b++) {
      const v = src && src[c] ? src[c][b] : null;
      values.push(v === null || v === undefined ? null : rel ? v : v > 0 ? Math.log10(v) : null);
    }
  }
  return {
    rows: a.channels.length,
    cols: a.bands.length,
    values,
    rowLabels: a.channels.map(String),
    colLabels: a.bands.map((b) => b.name),
    measure,
  };
}

function matrixData(a, m, band) {
  const M = m[band] || [];
  const C = a.channels.length;
  const values = [];
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) values.push(M[i] ? M[i][j] : null);
  return { rows: C, cols: C, values, rowLabels: a.channels.map(String), colLabels: a.channels.map(String), vmin: 0, vmax: 1, band };
}

/** Render the analysis into `parent`; figures join `scope`. */
export function renderAnalysis(parent, a, prefix, scope) {
  if (!a || !Array.isArray(a.channels) || !Array.isArray(a.freqs)) return;
  const grid = el('div.fig-grid');
  parent.append(grid);

  if (Array.isArray(a.psd)) {
    const many = a.channels.length > 8;
    const sel = select([['all', 'all channels'], ...a.channels.map((c, i) => [i, c])], many ? 0 : 'all', (v) => psd.plot.render(psdData(a, v)));
    const range = a.aperiodic_range_hz ? ` over ${a.aperiodic_range_hz[0]}–${a.aperiodic_range_hz[1]} Hz` : '';
    const psd = figure(
      grid,
      { id: `${prefix}-psd`, title: 'Power spectral density', controls: [sel], scope, note: `dashed: aperiodic fit log10 P = offset − exponent·log10 f${range}` },
      (b) => new LinePlot(b, { id: `${prefix}-psd`, title: 'Power spectral density', xLabel: 'frequency (Hz)', yLabel: 'PSD (µV²/Hz)', ylog: true, height: 300 }),
    );
    psd.plot.render(psdData(a, many ? '0' : 'all'));
  }

  if (Array.isArray(a.bands) && (a.band_power || a.relative_power)) {
    const zl = { absolute: 'log10 band power (µV²)', relative: 'relative power' };
    const sel = select([['absolute', 'log10 µV²'], ['relative', 'relative']], 'absolute', (v) => {
      bp.plot.opts.zLabel = zl[v];
      bp.plot.render(bandData(a, v));
    });
    const bp = figure(grid, { id: `${prefix}-bandpower`, title: 'Band power per channel', controls: [sel], scope }, (b) =>
      new HeatmapPlot(b, { id: `${prefix}-bandpower`, title: 'Band power per channel', xLabel: 'band', yLabel: 'channel', zLabel: zl.absolute, height: Math.max(220, Math.min(640, 70 + a.channels.length * 14)) }),
    );
    bp.plot.render(bandData(a, 'absolute'));
  }

  for (const [name, label] of [['pli', 'PLI'], ['wpli', 'wPLI']]) {
    const m = a[name];
    if (!m || typeof m !== 'object') continue;
    const bands = Object.keys(m);
    if (!bands.length) continue;
    const id = `${prefix}-${name}`;
    const title = `${label} (phase lag index${name === 'wpli' ? ', weighted' : ''})`;
    const sel = select(bands, bands[0], (v) => f.plot.render(matrixData(a, m, v)));
    const f = figure(grid, { id, title, controls: [el('span.note', { text: 'band' }), sel], scope }, (b) =>
      new HeatmapPlot(b, { id, title, xLabel: 'channel', yLabel: 'channel', zLabel: label, square: true, height: Math.max(300, Math.min(560, 90 + a.channels.length * 9)) }),
    );
    f.plot.render(matrixData(a, m, bands[0]));
  }

  parent.append(channelTable(a));
}

/** Per-channel table: band powers (µV²), peak, aperiodic exponent, spectral entropy. */
export function channelTable(a) {
  const bands = a.bands || [];
  const head = ['channel', ...bands.map((b) => `${b.name} ${b.lo}–${b.hi} Hz (µV²)`), 'total (µV²)', 'peak (Hz)', 'aperiodic exp.', 'spectral entropy'];
  const col = (arr, c) => (Array.isArray(arr) ? fmtValue(arr[c]) : '–');
  const rows = a.channels.map((ch, c) => [
    ch,
    ...bands.map((_, b) => (a.band_power && a.band_power[c] ? fmtValue(a.band_power[c][b]) : '–')),
    col(a.total_power, c),
    col(a.peak_hz, c),
    col(a.aperiodic_exponent, c),
    col(a.spectral_entropy, c),
  ]);
  return el('details.section', { open: a.channels.length <= 16 }, el('summary', { text: `Per-channel band powers (${a.channels.length} channels)` }), el('div.table-wrap', {}, table(head, rows)));
}
