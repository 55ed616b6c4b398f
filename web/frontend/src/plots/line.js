// Line plots (time series, spectra, training curves) drawn with uPlot: fast for 10^5 points,
// with zoom (drag; double-click resets) and a live legend.
//
// data = {x: [...], series: [{label, y: [...], color?, dash?, width?}], ...}; data.x ascending.
// The SVG is built from the data over the currently zoomed range, decimated per series.

import uPlot from 'uplot';
import { BasePlot } from './base.js';
import { GRID, INK, LABEL_FONT, TICK_FONT, axesSVG, fmt, fmtLog, fmtValue, layoutAxes } from './axes.js';
import { composePNG, decimate, polylinePath, svgDocument } from './export.js';
import { seriesColor } from './colormap.js';

const MAX_LEGEND = 12;

const isDecade = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
function decades(u, splits) {
  return splits.filter(isDecade).length >= 2 ? splits.map((v) => (isDecade(v) ? v : null)) : splits;
} // beyond that the legend costs more room than it helps

function tickValues(log) {
  return (u, splits) => {
    const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 0;
    return splits.map((v) => (log ? fmtLog(v) : fmt(v, step)));
  };
}

export class LinePlot extends BasePlot {
  /** opts: {id, title, xLabel, yLabel, ylog, xlog, height, points} */
  constructor(el, opts) {
    super(el, opts);
    this.kind = 'line';
    this.u = null;
    this.shape = '';
    this.wrap = document.createElement('div');
    this.wrap.className = 'uplot-wrap';
    el.append(this.wrap);
  }

  styles() {
    return this.data.series.map((s, i) => ({
      label: s.label,
      color: s.color || seriesColor(i),
      dash: s.dash || null,
      width: s.width || 1.5,
    }));
  }

  // uPlot wants y values > 0 on log scales: anything else becomes a gap.
  aligned() {
    const { x, series } = this.data;
    const clean = (a) => (this.opts.ylog ? a.map((v) => (v > 0 ? v : null)) : a);
    return [x, ...series.map((s) => clean(s.y))];
  }

  draw() {
    const styles = this.styles();
    const shape = JSON.stringify(styles) + this.height();
    if (this.u && shape === this.shape) {
      this.u.setData(this.aligned());
      return;
    }
    // A different set of series: uPlot builds its series once, so rebuild the chart.
    if (this.u) this.u.destroy();
    this.shape = shape;
    const o = this.opts;
    const axis = (label, log) => ({
      label,
      stroke: INK,
      font: TICK_FONT,
      labelFont: LABEL_FONT,
      labelSize: 16,
      labelGap: 0,
      size: 24,
      gap: 3,
      grid: { stroke: GRID, width: 1, ...(log ? { filter: decades } : {}) },
      ticks: { stroke: INK, width: 1, size: 4, ...(log ? { filter: decades } : {}) },
      values: tickValues(log),
      // log axes: ticks and grid at decades only, when there are at least two (uPlot wants
      // no filter key at all otherwise)
      ...(log ? { filter: decades } : {}),
    });
    const opts = {
      width: this.width(),
      height: this.height(),
      pxAlign: 0,
      scales: {
        x: { time: false, distr: o.xlog ? 3 : 1 },
        y: o.ylog ? { distr: 3, log: 10 } : o.yRange ? { range: o.yRange } : {},
      },
      axes: [axis(o.xLabel, o.xlog), { ...axis(o.yLabel, o.ylog), size: 54 }],
      series: [
        { label: o.xLabel || 'x', value: (u, v) => fmtValue(v) },
        ...styles.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width,
          dash: s.dash || undefined,
          points: { show: !!o.points, size: 5 },
          value: (u, v) => fmtValue(v),
        })),
      ],
      legend: { show: styles.length <= MAX_LEGEND },
      cursor: { drag: { x: true, y: false } },
    };
    this.wrap.textContent = '';
    this.u = new uPlot(opts, this.aligned(), this.wrap);
  }

  resized() {
    if (this.u) this.u.setSize({ width: this.width(), height: this.height() });
  }

  dispose() {
    super.dispose();
    if (this.u) this.u.destroy();
  }

  visibleLegend() {
    return this.styles()
      .filter((s, i) => !this.u || this.u.series[i + 1].show !== false)
      .map((s) => ({ label: s.label, color: s.color, dash: s.dash }));
  }

  async toPNG() {
    const w = this.u.width;
    const h = this.u.height;
    return composePNG({ title: this.title, width: w, height: h, parts: [{ canvas: this.u.ctx.canvas, x: 0, y: 0, w, h }], legend: this.visibleLegend() });
  }

  toSVG() {
    const u = this.u;
    const o = this.opts;
    const w = u.width;
    const h = u.height;
    const L = layoutAxes({
      width: w,
      height: h,
      margin: { l: 64, r: 14, t: 10, b: 42 },
      x: { min: u.scales.x.min, max: u.scales.x.max, label: o.xLabel, log: !!o.xlog },
      y: { min: u.scales.y.min, max: u.scales.y.max, label: o.yLabel, log: !!o.ylog },
    });
    const { x } = this.data;
    // the zoomed x range as an index range (x ascending)
    const lo = lowerBound(x, u.scales.x.min);
    const hi = Math.min(x.length, lowerBound(x, u.scales.x.max) + 1);
    const clip = `<clipPath id="c"><rect x="${L.box.l}" y="${L.box.t}" width="${L.box.w}" height="${L.box.h}"/></clipPath>`;
    const lines = [];
    const ys = this.aligned();
    this.styles().forEach((s, i) => {
      if (u.series[i + 1].show === false) return;
      const y = ys[i + 1];
      const idx = decimate(y, Math.max(0, lo - 1), hi, 2000);
      const d = polylinePath(idx, x, y, L.x.px, L.y.px);
      const dash = s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
      if (d) lines.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width}" stroke-linejoin="round"${dash}/>`);
      if (o.points && idx.length <= 200) {
        for (const k of idx) {
          if (y[k] === null || !Number.isFinite(y[k])) continue;
          lines.push(`<circle cx="${L.x.px(x[k]).toFixed(1)}" cy="${L.y.px(y[k]).toFixed(1)}" r="2.5" fill="#fff" stroke="${s.color}"/>`);
        }
      }
    });
    const body = `<defs>${clip}</defs>${axesSVG(L, { front: false })}<g clip-path="url(#c)">${lines.join('')}</g>${axesSVG(L)}`;
    return svgDocument({ title: this.title, width: w, height: h, body, legend: this.visibleLegend() });
  }
}

function lowerBound(a, v) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
