// Figure export: PNG from the drawn canvases (title and legend added), SVG built from the data.
// Every plot type implements toPNG() and toSVG() with these helpers.

import { FONT, INK, esc } from './axes.js';

export const TITLE_H = 26;

/** Save a data URL or a string under a file name (no network: data and blob URLs only). */
export function download(name, content, type) {
  const a = document.createElement('a');
  let href = content;
  if (type) href = URL.createObjectURL(new Blob([content], { type }));
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  if (type) setTimeout(() => URL.revokeObjectURL(href), 5000);
}

/**
 * One PNG from a title, canvases placed at CSS-pixel offsets, and an optional legend
 * ([{label, color, dash}]). Canvases are drawn at their backing resolution (device pixels).
 */
export function composePNG({ title, width, height, parts, legend = [] }) {
  const dpr = window.devicePixelRatio || 1;
  const legendRows = legendLayout(legend, width);
  const legendH = legendRows.length ? legendRows.length * 18 + 6 : 0;
  const c = document.createElement('canvas');
  c.width = Math.round(width * dpr);
  c.height = Math.round((TITLE_H + height + legendH) * dpr);
  const ctx = c.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, TITLE_H + height + legendH);
  ctx.fillStyle = INK;
  ctx.font = `600 13px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title || '', 10, TITLE_H / 2 + 2);
  for (const p of parts) ctx.drawImage(p.canvas, p.x, TITLE_H + p.y, p.w, p.h);
  ctx.font = `11px ${FONT}`;
  legendRows.forEach((row, r) => {
    const y = TITLE_H + height + 12 + r * 18;
    for (const it of row) {
      ctx.strokeStyle = it.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(it.dash || []);
      ctx.beginPath();
      ctx.moveTo(it.x, y);
      ctx.lineTo(it.x + 18, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = INK;
      ctx.fillText(it.label, it.x + 22, y);
    }
  });
  return c.toDataURL('image/png');
}

// Legend items flowed into rows; widths estimated from the character count (no canvas needed,
// so the SVG legend and the PNG legend wrap the same way).
function legendLayout(legend, width) {
  const rows = [];
  let row = [];
  let x = 58;
  for (const it of legend) {
    const w = 30 + String(it.label).length * 6.2;
    if (row.length && x + w > width - 10) {
      rows.push(row);
      row = [];
      x = 58;
    }
    row.push({ ...it, x });
    x += w + 10;
  }
  if (row.length) rows.push(row);
  return rows;
}

/** A complete SVG document: title on top, body (already positioned below TITLE_H), legend. */
export function svgDocument({ title, width, height, body, legend = [] }) {
  const rows = legendLayout(legend, width);
  const legendH = rows.length ? rows.length * 18 + 6 : 0;
  const H = TITLE_H + height + legendH;
  const leg = [];
  rows.forEach((row, r) => {
    const y = TITLE_H + height + 12 + r * 18;
    for (const it of row) {
      const dash = it.dash && it.dash.length ? ` stroke-dasharray="${it.dash.join(' ')}"` : '';
      leg.push(`<path d="M${it.x} ${y}h18" stroke="${it.color}" stroke-width="2"${dash}/>`);
      leg.push(`<text x="${it.x + 22}" y="${y + 4}" font-size="11" fill="${INK}">${esc(it.label)}</text>`);
    }
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family='${FONT.replace(/'/g, '')}'>` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="10" y="${TITLE_H / 2 + 6}" font-size="13" font-weight="600" fill="${INK}">${esc(title || '')}</text>` +
    `<g transform="translate(0 ${TITLE_H})">${body}</g>` +
    leg.join('') +
    '</svg>'
  );
}

/**
 * Indices to keep when drawing x[i0..i1) at about `target` points: min and max of each bucket,
 * in x order, so peaks survive the decimation.
 */
export function decimate(y, i0, i1, target = 2000) {
  const n = i1 - i0;
  if (n <= target) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = i0 + i;
    return all;
  }
  const buckets = Math.max(1, Math.floor(target / 2));
  const out = [];
  for (let b = 0; b < buckets; b++) {
    const s = i0 + Math.floor((b * n) / buckets);
    const e = i0 + Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = s; i < e; i++) {
      const v = y[i];
      if (v === null || !Number.isFinite(v)) continue;
      if (lo < 0 || v < y[lo]) lo = i;
      if (hi < 0 || v > y[hi]) hi = i;
    }
    if (lo < 0) {
      out.push(s); // keeps the gap visible
      continue;
    }
    if (lo === hi) out.push(lo);
    else if (lo < hi) out.push(lo, hi);
    else out.push(hi, lo);
  }
  return out;
}

/**
 * SVG path data of a polyline through (px(x[i]), py(y[i])) for the given indices; null/NaN
 * values break the line.
 */
export function polylinePath(idx, x, y, px, py) {
  let d = '';
  let pen = false;
  for (const i of idx) {
    const v = y[i];
    const u = x[i];
    if (v === null || u === null || !Number.isFinite(v) || !Number.isFinite(u)) {
      pen = false;
      continue;
    }
    const X = Math.round(px(u) * 10) / 10;
    const Y = Math.round(py(v) * 10) / 10;
    d += (pen ? 'L' : 'M') + X + ' ' + Y;
    pen = true;
  }
  return d;
}
