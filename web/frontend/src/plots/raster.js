// Spike rasters: one tick per spike, drawn as rectangles on a canvas (10^5 spikes in a few ms).
//
// data = {t: [step indices], n: [neuron indices], neurons, T, dt_ms}; x = t * dt_ms in ms.

import { CanvasPlot } from './base.js';
import { axesSVG, drawAxes, drawAxesFront, layoutAxes } from './axes.js';

const INK_SPIKE = '#1d3557';

export class RasterPlot extends CanvasPlot {
  constructor(el, opts) {
    super(el, opts);
    this.kind = 'raster';
  }

  layout(w, h) {
    const d = this.data;
    let maxT = d.T || 0;
    for (const v of d.t) if (v + 1 > maxT) maxT = v + 1;
    let neurons = d.neurons || 0;
    for (const v of d.n) if (v + 1 > neurons) neurons = v + 1;
    this.neurons = Math.max(1, neurons);
    return layoutAxes({
      width: w,
      height: h,
      x: { min: 0, max: Math.max(1, maxT) * (d.dt_ms || 1), label: this.opts.xLabel || 'time (ms)' },
      y: { min: 0, max: this.neurons, label: this.opts.yLabel || 'neuron', flip: true },
    });
  }

  paint(ctx, w, h) {
    const L = this.layout(w, h);
    const d = this.data;
    const dt = d.dt_ms || 1;
    drawAxes(ctx, L);
    const rowH = L.box.h / this.neurons;
    const tickH = Math.max(1, rowH * 0.8);
    const tickW = Math.max(1, Math.min(2, (L.x.px(dt) - L.x.px(0)) * 0.8));
    ctx.fillStyle = INK_SPIKE;
    for (let i = 0; i < d.t.length; i++) {
      const x = L.x.px(d.t[i] * dt);
      const y = L.y.px(d.n[i]) + (rowH - tickH) / 2;
      ctx.fillRect(x, y, tickW, tickH);
    }
    drawAxesFront(ctx, L);
  }

  svgBody(w, h) {
    const L = this.layout(w, h);
    const d = this.data;
    const dt = d.dt_ms || 1;
    const rowH = L.box.h / this.neurons;
    const tickH = Math.max(1, rowH * 0.8);
    // one path for all spikes: a short vertical stroke each
    let p = '';
    for (let i = 0; i < d.t.length; i++) {
      const x = Math.round(L.x.px(d.t[i] * dt) * 10) / 10;
      const y = Math.round((L.y.px(d.n[i]) + (rowH - tickH) / 2) * 10) / 10;
      p += `M${x} ${y}v${Math.round(tickH * 10) / 10}`;
    }
    return `${axesSVG(L, { front: false })}<path d="${p}" stroke="${INK_SPIKE}" stroke-width="1" fill="none"/>${axesSVG(L)}`;
  }
}
