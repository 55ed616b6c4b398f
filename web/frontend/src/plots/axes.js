// Axes shared by the canvas plots and by every SVG export: one layout (plot box, ticks, labels)
// computed once and drawn either on a canvas or as SVG, so a PNG and an SVG of the same figure
// show the same axes.

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const TICK_FONT = `11px ${FONT}`;
export const LABEL_FONT = `12px ${FONT}`;
export const INK = '#333';
export const GRID = '#e6e6e6';

/**
 * Number text for ticks: as many decimals as the tick step needs (so 0.9999999 and 1.0000001
 * stay distinct on a norm plot), exponents for very large or small values.
 */
export function fmt(v, step) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const st = step > 0 ? step : a;
  if (a >= 1e6 || a < 1e-4) {
    const sig = Math.max(0, Math.min(4, Math.floor(Math.log10(a)) - Math.floor(Math.log10(st))));
    return v.toExponential(sig).replace('e+', 'e');
  }
  const digits = Math.max(0, Math.min(12, 1 - Math.floor(Math.log10(st))));
  return String(Number(v.toFixed(digits)));
}

/** Number text for readouts and tables: 4 significant digits. */
export function fmtValue(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

/** About n "nice" ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo, hi, n = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  const eps = step * 1e-9;
  for (let v = Math.ceil((lo - eps) / step) * step; v <= hi + eps; v += step) out.push(Math.abs(v) < eps ? 0 : v);
  return out;
}

/** Decade ticks for a log axis over [lo, hi] (both > 0), with 2 and 5 when few decades. */
export function logTicks(lo, hi) {
  const out = [];
  const d0 = Math.floor(Math.log10(lo));
  const d1 = Math.ceil(Math.log10(hi));
  const mults = d1 - d0 <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((d1 - d0) / 8));
  for (let d = d0; d <= d1; d += every) {
    for (const m of mults) {
      const v = m * Math.pow(10, d);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Finite min and max of an array (or arrays), ignoring null and NaN. */
export function extent(...arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * Axis layout. spec: {width, height, x: {min, max, label, log?, ticks?, tickLabels?},
 * y: {...}, margin?: {l, r, t, b}}. `ticks` may be given (e.g. channel rows); otherwise they are
 * computed. Returns {box: {l, t, w, h}, x: {...scale}, y: {...scale}} where scale.px(v) maps a
 * data value to a pixel and scale.ticks = [{v, px, text}].
 */
export function layoutAxes(spec) {
  const m = { l: 58, r: 14, t: 10, b: 40, ...(spec.margin || {}) };
  const box = { l: m.l, t: m.t, w: Math.max(10, spec.width - m.l - m.r), h: Math.max(10, spec.height - m.t - m.b) };
  const x = makeScale(spec.x, box.l, box.l + box.w);
  // y grows upwards, unless flipped (matrix rows, channel lists: first at the top)
  const y = spec.y && spec.y.flip ? makeScale(spec.y, box.t, box.t + box.h) : makeScale(spec.y, box.t + box.h, box.t);
  return { box, x, y, width: spec.width, height: spec.height };
}

function makeScale(ax = {}, p0, p1) {
  const log = !!ax.log;
  let lo = ax.min;
  let hi = ax.max;
  if (log) {
    lo = Math.max(lo, 1e-300);
    hi = Math.max(hi, lo * 10);
  }
  const f = log ? Math.log10 : (v) => v;
  const a = f(lo);
  const b = f(hi);
  const px = (v) => p0 + ((f(v) - a) / (b - a || 1)) * (p1 - p0);
  let ticks;
  if (ax.ticks) {
    ticks = ax.ticks.map((v, i) => ({ v, px: px(v), text: ax.tickLabels ? ax.tickLabels[i] : fmt(v) }));
  } else {
    const vals = log ? logTicks(lo, hi) : niceTicks(lo, hi, ax.nticks || Math.max(3, Math.round(Math.abs(p1 - p0) / 60)));
    const step = vals.length > 1 ? vals[1] - vals[0] : Math.abs(hi - lo);
    ticks = vals.map((v) => ({ v, px: px(v), text: log ? fmtLog(v) : fmt(v, step) }));
  }
  return { min: lo, max: hi, log, label: ax.label || '', px, ticks, p0, p1 };
}

export const fmtLog = (v) => (v === null || !Number.isFinite(v) || v <= 0 ? '' : v >= 1e-3 && v < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(0).replace('e+', 'e'));

/** Draw frame, grid, ticks and labels of a layout on a 2-D context (CSS pixel units). */
export function drawAxes(ctx, L, { grid = true } = {}) {
  const { box } = L;
  ctx.save();
  ctx.lineWidth = 1;
  if (grid) {
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    for (const t of L.x.ticks) { const p = Math.round(t.px) + 0.5; ctx.moveTo(p, box.t); ctx.lineTo(p, box.t + box.h); }
    for (const t of L.y.ticks) { const p = Math.round(t.px) + 0.5; ctx.moveTo(box.l, p); ctx.lineTo(box.l + box.w, p); }
    ctx.stroke();
  }
  ctx.restore();
}

/** Ticks, tick labels, frame and axis labels (drawn after the data so they stay on top). */
export function drawAxesFront(ctx, L) {
  const { box } = L;
  ctx.save();
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = 1;
  ctx.strokeRect(box.l + 0.5, box.t + 0.5, box.w - 1, box.h - 1);
  ctx.font = TICK_FONT;
  ctx.beginPath();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of L.x.ticks) {
    const p = Math.round(t.px) + 0.5;
    ctx.moveTo(p, box.t + box.h);
    ctx.lineTo(p, box.t + box.h + 4);
    ctx.fillText(t.text, t.px, box.t + box.h + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of L.y.ticks) {
    const p = Math.round(t.px) + 0.5;
    ctx.moveTo(box.l - 4, p);
    ctx.lineTo(box.l, p);
    ctx.fillText(t.text, box.l - 6, t.px);
  }
  ctx.stroke();
  ctx.font = LABEL_FONT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  if (L.x.label) ctx.fillText(L.x.label, box.l + box.w / 2, L.height - 4);
  if (L.y.label) {
    ctx.translate(13, box.t + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(L.y.label, 0, 0);
  }
  ctx.restore();
}

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const r1 = (v) => Math.round(v * 10) / 10;

/** The same axes as SVG elements (grid behind: call with front=false first, then front=true). */
export function axesSVG(L, { grid = true, front = true } = {}) {
  const { box } = L;
  const out = [];
  if (!front) {
    if (grid) {
      let d = '';
      for (const t of L.x.ticks) d += `M${r1(t.px)} ${box.t}V${box.t + box.h}`;
      for (const t of L.y.ticks) d += `M${box.l} ${r1(t.px)}H${box.l + box.w}`;
      out.push(`<path d="${d}" stroke="${GRID}" fill="none"/>`);
    }
    return out.join('');
  }
  let d = '';
  for (const t of L.x.ticks) d += `M${r1(t.px)} ${box.t + box.h}v4`;
  for (const t of L.y.ticks) d += `M${box.l - 4} ${r1(t.px)}h4`;
  out.push(`<path d="${d}" stroke="${INK}" fill="none"/>`);
  out.push(`<rect x="${box.l}" y="${box.t}" width="${box.w}" height="${box.h}" fill="none" stroke="${INK}"/>`);
  out.push(`<g font-size="11" fill="${INK}" text-anchor="middle">`);
  for (const t of L.x.ticks) out.push(`<text x="${r1(t.px)}" y="${box.t + box.h + 17}">${esc(t.text)}</text>`);
  out.push('</g>');
  out.push(`<g font-size="11" fill="${INK}" text-anchor="end">`);
  for (const t of L.y.ticks) out.push(`<text x="${box.l - 6}" y="${r1(t.px) + 4}">${esc(t.text)}</text>`);
  out.push('</g>');
  if (L.x.label) out.push(`<text x="${box.l + box.w / 2}" y="${L.height - 6}" font-size="12" text-anchor="middle" fill="${INK}">${esc(L.x.label)}</text>`);
  if (L.y.label) out.push(`<text transform="translate(14 ${box.t + box.h / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${INK}">${esc(L.y.label)}</text>`);
  return out.join('');
}
