// Stacked multichannel EEG traces from min/max envelopes (one bucket per pixel, as the server
// decimates them), annotations as labelled bands, a µV scale bar. Drawing is one canvas path per
// channel: 64 channels × 2000 buckets redraw in a few milliseconds, so scrolling stays smooth.
//
// data = {t0, step_s, channels: [names], min: [[...] per channel], max: [[...]],
//         annotations?: [{onset_s, duration_s, text}]}; bucket b of a channel covers
// [t0 + b step_s, t0 + (b + 1) step_s). When not decimated min = max = the samples.
// setView(t0, t1) changes the visible time range without new data (immediate feedback while
// the next window is fetched).

import { CanvasPlot } from './base.js';
import { INK, TICK_FONT, axesSVG, drawAxes, drawAxesFront, esc, layoutAxes } from './axes.js';

const TRACE = '#1d3557';
const BAND = 'rgba(230, 140, 20, 0.16)';
const BAND_EDGE = 'rgba(200, 110, 0, 0.55)';

function quantile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function finiteSample(a, stride) {
  const out = [];
  for (let i = 0; i < a.length; i += stride) if (a[i] !== null && Number.isFinite(a[i])) out.push(a[i]);
  return out.sort((x, y) => x - y);
}

export class TracesPlot extends CanvasPlot {
  constructor(el, opts) {
    super(el, opts);
    this.kind = 'traces';
    this.view = null; // [t0, t1] or null for the data's extent
    this.gain = 1;
    this.spacing = null; // µV between channel baselines; null: estimate from the next data
    this.addHoverReadout(el);
  }

  height() {
    // grow with the channel count so that each channel keeps a readable row
    const n = this.data ? this.data.channels.length : 8;
    return this.opts.height || Math.max(200, Math.min(900, 50 + n * 24));
  }

  setView(t0, t1) {
    this.view = [t0, t1];
    this.draw();
  }

  setGain(g) {
    this.gain = g;
    this.draw();
  }

  /** Forget the amplitude scale: the next data sets it again. */
  rescale() {
    this.spacing = null;
    this.draw();
  }

  // A robust amplitude scale: the median over channels of the 2nd..98th percentile range.
  estimate() {
    const d = this.data;
    const ranges = [];
    for (let k = 0; k < d.channels.length; k++) {
      const mn = d.min[k] || [];
      const stride = Math.max(1, Math.floor(mn.length / 2000));
      const lo = quantile(finiteSample(mn, stride), 0.02);
      const hi = quantile(finiteSample(d.max[k] || [], stride), 0.98);
      if (hi > lo) ranges.push(hi - lo);
    }
    ranges.sort((a, b) => a - b);
    return quantile(ranges, 0.5) || 1;
  }

  // Per-channel baseline: the median of the bucket centres (removes DC offsets).
  centres() {
    const d = this.data;
    return d.channels.map((_, k) => {
      const mn = d.min[k] || [];
      const mx = d.max[k] || [];
      const stride = Math.max(1, Math.floor(mn.length / 1000));
      const c = [];
      for (let i = 0; i < mn.length; i += stride) {
        const v = (mn[i] + mx[i]) / 2;
        if (Number.isFinite(v)) c.push(v);
      }
      c.sort((a, b) => a - b);
      return quantile(c, 0.5);
    });
  }

  extentT() {
    const d = this.data;
    const n = d.min.length ? d.min[0].length : 0;
    return [d.t0, d.t0 + n * d.step_s];
  }

  layout(w, h) {
    const d = this.data;
    const [a, b] = this.view || this.extentT();
    const C = d.channels.length;
    const labelW = Math.min(90, 10 + Math.max(2, ...d.channels.map((s) => String(s).length)) * 6.5);
    const every = Math.max(1, Math.ceil((C * 12) / Math.max(1, h - 50)));
    const ticks = [];
    const tickLabels = [];
    for (let k = 0; k < C; k += every) {
      ticks.push(k + 0.5);
      tickLabels.push(String(d.channels[k]));
    }
    return layoutAxes({
      width: w,
      height: h,
      margin: { l: labelW + 12, r: 64, t: 14, b: 40 },
      x: { min: a, max: b > a ? b : a + 1, label: this.opts.xLabel || 'time (s)' },
      y: { min: 0, max: Math.max(1, C), label: '', flip: true, ticks, tickLabels },
    });
  }

  prepare() {
    if (this.spacing === null) this.spacing = this.estimate();
    if (this.centreVersion !== this.version) {
      this.centre = this.centres();
      this.centreVersion = this.version;
    }
  }

  // Visible bucket range and the mapping of a value of channel k to a pixel.
  geometry(L) {
    const d = this.data;
    const n = d.min.length ? d.min[0].length : 0;
    const b0 = Math.max(0, Math.floor((L.x.min - d.t0) / d.step_s) - 1);
    const b1 = Math.min(n, Math.ceil((L.x.max - d.t0) / d.step_s) + 1);
    const rowH = L.box.h / Math.max(1, d.channels.length);
    const k2 = rowH / (this.spacing / this.gain);
    const yOf = (k, v) => L.y.px(k + 0.5) - (v - this.centre[k]) * k2;
    return { b0, b1, rowH, yOf };
  }

  paint(ctx, w, h) {
    this.prepare();
    const L = (this.L = this.layout(w, h));
    const d = this.data;
    const { box } = L;
    drawAxes(ctx, L);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.l, box.t, box.w, box.h);
    ctx.clip();
    this.paintAnnotations(ctx, L, false);
    const { b0, b1, yOf } = this.geometry(L);
    ctx.strokeStyle = TRACE;
    ctx.lineWidth = 1;
    ctx.lineJoin = 'round';
    for (let k = 0; k < d.channels.length; k++) {
      const mn = d.min[k];
      const mx = d.max[k];
      if (!mn) continue;
      ctx.beginPath();
      let pen = false;
      for (let b = b0; b < b1; b++) {
        const lo = mn[b];
        const hi = mx[b];
        if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
          pen = false;
          continue;
        }
        const x = L.x.px(d.t0 + (b + 0.5) * d.step_s);
        if (pen) ctx.lineTo(x, yOf(k, hi));
        else ctx.moveTo(x, yOf(k, hi));
        if (lo !== hi) ctx.lineTo(x, yOf(k, lo));
        pen = true;
      }
      ctx.stroke();
    }
    this.paintAnnotations(ctx, L, true);
    ctx.restore();
    drawAxesFront(ctx, L);
    this.paintScaleBar(ctx, L);
  }

  visibleAnnotations(L) {
    return (this.data.annotations || []).filter((a) => a.onset_s <= L.x.max && a.onset_s + (a.duration_s || 0) >= L.x.min);
  }

  // bands under the traces, labels (on a white tag) over them
  paintAnnotations(ctx, L, labels) {
    const { box } = L;
    ctx.font = TICK_FONT;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    for (const a of this.visibleAnnotations(L)) {
      const x0 = L.x.px(a.onset_s);
      const x1 = Math.max(x0 + 1, L.x.px(a.onset_s + (a.duration_s || 0)));
      if (!labels) {
        ctx.fillStyle = BAND;
        ctx.fillRect(x0, box.t, x1 - x0, box.h);
        ctx.fillStyle = BAND_EDGE;
        ctx.fillRect(x0, box.t, 1, box.h);
      } else if (a.text) {
        const w = ctx.measureText(a.text).width;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(x0 + 1, box.t + 1, w + 5, 14);
        ctx.fillStyle = '#8a4b00';
        ctx.fillText(a.text, x0 + 3, box.t + 2);
      }
    }
  }

  scaleBar(L) {
    const rowH = L.box.h / Math.max(1, this.data.channels.length);
    const uv = this.spacing / this.gain; // µV per row
    // the largest 1, 2 or 5 × 10^k not taller than a row (and than 60 px)
    const target = uv * Math.min(1, 60 / rowH) * 0.9;
    const mag = Math.pow(10, Math.floor(Math.log10(target)));
    const nice = [5, 2, 1].map((m) => m * mag).find((v) => v <= target) || mag;
    return { uv: Number(nice.toPrecision(3)), px: (nice / uv) * rowH };
  }

  paintScaleBar(ctx, L) {
    const { uv, px } = this.scaleBar(L);
    const x = L.box.l + L.box.w + 14;
    const y1 = L.box.t + L.box.h;
    ctx.fillStyle = INK;
    ctx.fillRect(x, y1 - px, 2, px);
    ctx.font = TICK_FONT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(`${uv} µV`, x + 6, y1 - px / 2);
  }

  hover(ev) {
    if (!this.L) return;
    const r = this.canvas.getBoundingClientRect();
    const { box } = this.L;
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    if (x < box.l || x > box.l + box.w || y < box.t || y > box.t + box.h) {
      this.readout.innerHTML = '&nbsp;';
      return;
    }
    const t = this.L.x.min + ((x - box.l) / box.w) * (this.L.x.max - this.L.x.min);
    const k = Math.floor(((y - box.t) / box.h) * this.data.channels.length);
    this.readout.textContent = `t = ${t.toFixed(3)} s, ${this.data.channels[k] ?? ''}`;
  }

  svgBody(w, h) {
    this.prepare();
    const L = this.layout(w, h);
    const d = this.data;
    const { box } = L;
    const { b0, b1, yOf } = this.geometry(L);
    const out = [`<defs><clipPath id="c"><rect x="${box.l}" y="${box.t}" width="${box.w}" height="${box.h}"/></clipPath></defs>`, axesSVG(L, { front: false }), '<g clip-path="url(#c)">'];
    const labels = [];
    for (const a of this.visibleAnnotations(L)) {
      const x0 = L.x.px(a.onset_s);
      const x1 = Math.max(x0 + 1, L.x.px(a.onset_s + (a.duration_s || 0)));
      out.push(`<rect x="${x0.toFixed(1)}" y="${box.t}" width="${(x1 - x0).toFixed(1)}" height="${box.h}" fill="${BAND}"/>`);
      if (a.text) labels.push(`<text x="${(x0 + 3).toFixed(1)}" y="${box.t + 12}" font-size="11" fill="#8a4b00" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(a.text)}</text>`);
    }
    // at most 1000 buckets per channel (2000 points: max, min of each)
    const group = Math.max(1, Math.ceil((b1 - b0) / 1000));
    const r1 = (v) => Math.round(v * 10) / 10;
    for (let k = 0; k < d.channels.length; k++) {
      const mn = d.min[k];
      const mx = d.max[k];
      if (!mn) continue;
      let p = '';
      let pen = false;
      for (let g = b0; g < b1; g += group) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let b = g; b < Math.min(b1, g + group); b++) {
          if (Number.isFinite(mn[b]) && mn[b] !== null) lo = Math.min(lo, mn[b]);
          if (Number.isFinite(mx[b]) && mx[b] !== null) hi = Math.max(hi, mx[b]);
        }
        if (!(hi >= lo)) {
          pen = false;
          continue;
        }
        const x = r1(L.x.px(d.t0 + (g + group / 2) * d.step_s));
        p += `${pen ? 'L' : 'M'}${x} ${r1(yOf(k, hi))}`;
        if (lo !== hi) p += `L${x} ${r1(yOf(k, lo))}`;
        pen = true;
      }
      out.push(`<path d="${p}" fill="none" stroke="${TRACE}" stroke-width="1"/>`);
    }
    out.push(...labels, '</g>', axesSVG(L));
    const { uv, px } = this.scaleBar(L);
    const x = box.l + box.w + 14;
    out.push(`<rect x="${x}" y="${(box.t + box.h - px).toFixed(1)}" width="2" height="${px.toFixed(1)}" fill="${INK}"/><text x="${x + 6}" y="${(box.t + box.h - px / 2 + 4).toFixed(1)}" font-size="11" fill="${INK}">${uv} µV</text>`);
    return out.join('');
  }
}
