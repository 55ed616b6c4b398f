// Heat maps (PLI/wPLI matrices, band power per channel, density slices, attention scores): one
// image of rows × cols cells drawn through an offscreen canvas, so 128 × 128 cells cost one
// drawImage; viridis with a colour bar; hover readout of the cell under the pointer.
//
// data = {rows, cols, values: [rows*cols] row-major (null = missing), rowLabels?, colLabels?,
//         vmin?, vmax?}; options: {xLabel, yLabel, zLabel, origin: 'upper'|'lower', square}.

import { CanvasPlot } from './base.js';
import { INK, LABEL_FONT, TICK_FONT, axesSVG, drawAxesFront, esc, extent, fmtValue, layoutAxes, niceTicks, fmt } from './axes.js';
import { MISSING, VIRIDIS, viridis } from './colormap.js';

const BAR_W = 12;

export class HeatmapPlot extends CanvasPlot {
  constructor(el, opts) {
    super(el, opts);
    this.kind = 'heatmap';
    this.addHoverReadout(el);
  }

  range() {
    const d = this.data;
    let [lo, hi] = extent(d.values);
    if (d.vmin !== undefined && d.vmin !== null) lo = d.vmin;
    if (d.vmax !== undefined && d.vmax !== null) hi = d.vmax;
    if (hi === lo) hi = lo + (Math.abs(lo) || 1) * 1e-9 + 1e-12;
    return [lo, hi];
  }

  // The cells as a cols × rows image, built once per data version.
  image() {
    if (this.imgVersion === this.version) return this.img;
    const { rows, cols, values } = this.data;
    const [lo, hi] = this.range();
    const c = document.createElement('canvas');
    c.width = Math.max(1, cols);
    c.height = Math.max(1, rows);
    const ctx = c.getContext('2d');
    const im = ctx.createImageData(c.width, c.height);
    const upper = this.opts.origin !== 'lower';
    for (let r = 0; r < rows; r++) {
      const ir = upper ? r : rows - 1 - r;
      for (let k = 0; k < cols; k++) {
        const v = values[r * cols + k];
        const o = (ir * cols + k) * 4;
        if (v === null || v === undefined || !Number.isFinite(v)) {
          im.data[o] = MISSING[0];
          im.data[o + 1] = MISSING[1];
          im.data[o + 2] = MISSING[2];
        } else {
          const t = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255))) * 3;
          im.data[o] = VIRIDIS[t];
          im.data[o + 1] = VIRIDIS[t + 1];
          im.data[o + 2] = VIRIDIS[t + 2];
        }
        im.data[o + 3] = 255;
      }
    }
    ctx.putImageData(im, 0, 0);
    this.img = c;
    this.imgVersion = this.version;
    return c;
  }

  // Tick positions at cell centres, thinned to fit; labels or indices.
  axisTicks(n, labels, lengthPx, perLabelPx) {
    const every = Math.max(1, Math.ceil((n * perLabelPx) / Math.max(1, lengthPx)));
    const ticks = [];
    const text = [];
    for (let i = 0; i < n; i += every) {
      ticks.push(i + 0.5);
      text.push(labels ? String(labels[i]) : String(i));
    }
    return { ticks, tickLabels: text };
  }

  layout(w, h) {
    const d = this.data;
    const o = this.opts;
    const rowLabelW = d.rowLabels ? Math.min(90, 8 + Math.max(...d.rowLabels.map((s) => String(s).length)) * 6.5) : 34;
    const margin = { l: Math.max(46, rowLabelW + 22), r: 70, t: 8, b: 40 };
    let width = w;
    if (o.square) {
      const side = Math.max(60, Math.min(h - margin.t - margin.b, w - margin.l - margin.r));
      width = side + margin.l + margin.r;
    }
    const boxW = width - margin.l - margin.r;
    const boxH = h - margin.t - margin.b;
    const maxColLabel = d.colLabels ? Math.max(...d.colLabels.map((s) => String(s).length)) * 6.5 + 8 : 30;
    const xt = this.axisTicks(d.cols, d.colLabels, boxW, Math.max(14, maxColLabel));
    const yt = this.axisTicks(d.rows, d.rowLabels, boxH, 13);
    return layoutAxes({
      width,
      height: h,
      margin,
      x: { min: 0, max: d.cols, label: o.xLabel, ...xt },
      y: { min: 0, max: d.rows, label: o.yLabel, flip: o.origin !== 'lower', ...yt },
    });
  }

  paint(ctx, w, h) {
    const L = (this.L = this.layout(w, h));
    const { box } = L;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image(), box.l, box.t, box.w, box.h);
    drawAxesFront(ctx, L);
    // colour bar
    const [lo, hi] = this.range();
    const bx = box.l + box.w + 10;
    for (let i = 0; i < box.h; i++) {
      ctx.fillStyle = viridis(1 - i / Math.max(1, box.h - 1));
      ctx.fillRect(bx, box.t + i, BAR_W, 1);
    }
    ctx.strokeStyle = INK;
    ctx.strokeRect(bx + 0.5, box.t + 0.5, BAR_W - 1, box.h - 1);
    ctx.fillStyle = INK;
    ctx.font = TICK_FONT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (const t of this.barTicks(lo, hi)) {
      const y = box.t + box.h - ((t.v - lo) / (hi - lo)) * box.h;
      ctx.fillRect(bx + BAR_W, Math.round(y), 3, 1);
      ctx.fillText(t.text, bx + BAR_W + 5, y);
    }
    if (this.opts.zLabel) {
      ctx.save();
      ctx.font = LABEL_FONT;
      ctx.translate(L.width - 8, box.t + box.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'center';
      ctx.fillText(this.opts.zLabel, 0, 0);
      ctx.restore();
    }
  }

  barTicks(lo, hi) {
    const vals = niceTicks(lo, hi, 4);
    const step = vals.length > 1 ? vals[1] - vals[0] : hi - lo;
    return vals.map((v) => ({ v, text: fmt(v, step) }));
  }

  hover(ev) {
    if (!this.L || !this.data) return;
    const r = this.canvas.getBoundingClientRect();
    const { box } = this.L;
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const d = this.data;
    const col = Math.floor(((x - box.l) / box.w) * d.cols);
    let row = Math.floor(((y - box.t) / box.h) * d.rows);
    if (this.opts.origin === 'lower') row = d.rows - 1 - row;
    if (col < 0 || col >= d.cols || row < 0 || row >= d.rows) {
      this.readout.innerHTML = '&nbsp;';
      return;
    }
    const rl = d.rowLabels ? d.rowLabels[row] : row;
    const cl = d.colLabels ? d.colLabels[col] : col;
    this.readout.textContent = `${this.opts.yLabel || 'row'} ${rl}, ${this.opts.xLabel || 'col'} ${cl}: ${fmtValue(d.values[row * d.cols + col])}${this.opts.zUnit ? ' ' + this.opts.zUnit : ''}`;
  }

  svgBody(w, h) {
    const L = this.layout(w, h);
    const { box } = L;
    const [lo, hi] = this.range();
    const bx = box.l + box.w + 10;
    const stops = [];
    for (let i = 0; i <= 10; i++) stops.push(`<stop offset="${i / 10}" stop-color="${viridis(1 - i / 10)}"/>`);
    const out = [
      `<defs><linearGradient id="cbar" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`,
      `<image x="${box.l}" y="${box.t}" width="${box.w}" height="${box.h}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${this.image().toDataURL('image/png')}"/>`,
      axesSVG(L),
      `<rect x="${bx}" y="${box.t}" width="${BAR_W}" height="${box.h}" fill="url(#cbar)" stroke="${INK}"/>`,
    ];
    for (const t of this.barTicks(lo, hi)) {
      const y = Math.round((box.t + box.h - ((t.v - lo) / (hi - lo)) * box.h) * 10) / 10;
      out.push(`<path d="M${bx + BAR_W} ${y}h3" stroke="${INK}"/><text x="${bx + BAR_W + 5}" y="${y + 4}" font-size="11" fill="${INK}">${esc(t.text)}</text>`);
    }
    if (this.opts.zLabel) out.push(`<text transform="translate(${L.width - 8} ${box.t + box.h / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${INK}">${esc(this.opts.zLabel)}</text>`);
    return out.join('');
  }
}
