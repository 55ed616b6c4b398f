// Polar planes of token states, one panel per layer (input, layer 1, ..., layer L) on a shared
// scale, points coloured by token position (viridis), rings of constant radius.
//
// data = {x: [[T] per panel], y: [[T] per panel], panels: [names], tokens?: [T]}.

import { CanvasPlot } from './base.js';
import { GRID, INK, TICK_FONT, axesSVG, drawAxes, drawAxesFront, esc, layoutAxes, niceTicks } from './axes.js';
import { viridis } from './colormap.js';

const BAR = 56; // room for the position colour bar
const MIN_PANEL = 170;

export class PolarPlot extends CanvasPlot {
  constructor(el, opts) {
    super(el, opts);
    this.kind = 'polar';
  }

  grid(w) {
    const P = this.data ? this.data.x.length : 1;
    const cols = Math.max(1, Math.min(P, Math.floor((w - BAR) / MIN_PANEL)));
    const rows = Math.ceil(P / cols);
    const side = Math.min(300, Math.floor((w - BAR) / cols));
    return { P, cols, rows, side };
  }

  height() {
    const { rows, side } = this.grid(this.width());
    return rows * side + 8;
  }

  radius() {
    let R = 0;
    for (let p = 0; p < this.data.x.length; p++) {
      const xs = this.data.x[p];
      const ys = this.data.y[p];
      for (let i = 0; i < xs.length; i++) {
        const r = Math.hypot(xs[i], ys[i]);
        if (Number.isFinite(r) && r > R) R = r;
      }
    }
    return (R || 1) * 1.08;
  }

  panels(w) {
    const g = this.grid(w);
    const R = this.radius();
    const out = [];
    for (let p = 0; p < g.P; p++) {
      const ox = (p % g.cols) * g.side;
      const oy = Math.floor(p / g.cols) * g.side + 4;
      const L = layoutAxes({
        width: g.side,
        height: g.side,
        margin: { l: 36, r: 6, t: 18, b: 22 },
        x: { min: -R, max: R, nticks: 3 },
        y: { min: -R, max: R, nticks: 3 },
      });
      out.push({ p, ox, oy, L, R, title: (this.data.panels && this.data.panels[p]) || `layer ${p}` });
    }
    return out;
  }

  rings(R) {
    return niceTicks(0, R, 3).filter((r) => r > 0 && r <= R);
  }

  paint(ctx, w) {
    const d = this.data;
    for (const { p, ox, oy, L, R, title } of this.panels(w)) {
      ctx.save();
      ctx.translate(ox, oy);
      drawAxes(ctx, L, { grid: false });
      const cx = L.x.px(0);
      const cy = L.y.px(0);
      const s = (L.x.px(1) - L.x.px(0));
      ctx.strokeStyle = GRID;
      ctx.beginPath();
      ctx.moveTo(L.box.l, cy);
      ctx.lineTo(L.box.l + L.box.w, cy);
      ctx.moveTo(cx, L.box.t);
      ctx.lineTo(cx, L.box.t + L.box.h);
      for (const r of this.rings(R)) {
        ctx.moveTo(cx + r * s, cy);
        ctx.arc(cx, cy, r * s, 0, 2 * Math.PI);
      }
      ctx.stroke();
      const xs = d.x[p];
      const ys = d.y[p];
      const T = xs.length;
      for (let i = 0; i < T; i++) {
        ctx.fillStyle = viridis(T > 1 ? i / (T - 1) : 0);
        ctx.beginPath();
        ctx.arc(L.x.px(xs[i]), L.y.px(ys[i]), 2.6, 0, 2 * Math.PI);
        ctx.fill();
      }
      drawAxesFront(ctx, L);
      ctx.fillStyle = INK;
      ctx.font = `600 ${TICK_FONT}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(title, L.box.l + L.box.w / 2, 2);
      ctx.restore();
    }
    this.paintBar(ctx, w);
  }

  barGeom(w) {
    const h = this.height();
    return { x: w - BAR + 8, y: 22, h: Math.max(40, Math.min(h - 50, 200)), T: this.data.x[0] ? this.data.x[0].length : 1 };
  }

  paintBar(ctx, w) {
    const { x, y, h, T } = this.barGeom(w);
    for (let i = 0; i < h; i++) {
      ctx.fillStyle = viridis(i / Math.max(1, h - 1));
      ctx.fillRect(x, y + i, 10, 1);
    }
    ctx.strokeStyle = INK;
    ctx.strokeRect(x + 0.5, y + 0.5, 9, h - 1);
    ctx.fillStyle = INK;
    ctx.font = TICK_FONT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText('0', x + 14, y);
    ctx.fillText(String(T - 1), x + 14, y + h);
    ctx.textBaseline = 'bottom';
    ctx.fillText('position', x - 6, y - 6);
  }

  svgBody(w) {
    const d = this.data;
    const out = [];
    const r1 = (v) => Math.round(v * 10) / 10;
    for (const { p, ox, oy, L, R, title } of this.panels(w)) {
      out.push(`<g transform="translate(${ox} ${oy})">`);
      const cx = L.x.px(0);
      const cy = L.y.px(0);
      const s = L.x.px(1) - L.x.px(0);
      out.push(`<path d="M${L.box.l} ${r1(cy)}H${L.box.l + L.box.w}M${r1(cx)} ${L.box.t}V${L.box.t + L.box.h}" stroke="${GRID}"/>`);
      for (const r of this.rings(R)) out.push(`<circle cx="${r1(cx)}" cy="${r1(cy)}" r="${r1(r * s)}" fill="none" stroke="${GRID}"/>`);
      const xs = d.x[p];
      const ys = d.y[p];
      const T = xs.length;
      for (let i = 0; i < T; i++) out.push(`<circle cx="${r1(L.x.px(xs[i]))}" cy="${r1(L.y.px(ys[i]))}" r="2.6" fill="${viridis(T > 1 ? i / (T - 1) : 0)}"/>`);
      out.push(axesSVG(L));
      out.push(`<text x="${L.box.l + L.box.w / 2}" y="13" font-size="11" font-weight="600" text-anchor="middle" fill="${INK}">${esc(title)}</text></g>`);
    }
    const { x, y, h, T } = this.barGeom(w);
    const stops = [];
    for (let i = 0; i <= 10; i++) stops.push(`<stop offset="${i / 10}" stop-color="${viridis(i / 10)}"/>`);
    out.push(`<defs><linearGradient id="pbar" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`);
    out.push(`<rect x="${x}" y="${y}" width="10" height="${h}" fill="url(#pbar)" stroke="${INK}"/>`);
    out.push(`<text x="${x + 14}" y="${y + 4}" font-size="11" fill="${INK}">0</text><text x="${x + 14}" y="${y + h + 4}" font-size="11" fill="${INK}">${T - 1}</text><text x="${x - 6}" y="${y - 6}" font-size="11" fill="${INK}">position</text>`);
    return out.join('');
  }
}
