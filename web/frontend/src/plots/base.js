// What every plot has in common: the test-hook fields (id, kind, data, version), registration
// in window.qneuro.plots, following the width of its element, and for canvas plots the canvas,
// the device-pixel scaling, PNG composition and the SVG wrapper.
//
// A subclass implements draw(ctx, width, height) (CSS pixels) and svgBody(width, height), or,
// for uPlot, overrides render/toPNG/toSVG itself (line.js).

import { registerPlot, unregisterPlot } from '../hooks.js';
import { composePNG, svgDocument } from './export.js';

export class BasePlot {
  constructor(el, opts) {
    this.el = el;
    this.opts = opts;
    this.id = opts.id;
    this.title = opts.title || opts.id;
    this.kind = 'plot';
    this.data = null;
    this.version = 0;
    this.lastWidth = 0;
    // Redraw when the element's width changes (window resize, a hidden page shown).
    this.observer = new ResizeObserver(() => {
      const w = this.el.clientWidth;
      if (w > 0 && w !== this.lastWidth && this.data) {
        this.lastWidth = w;
        this.resized();
      }
    });
    this.observer.observe(el);
  }

  width() {
    return this.el.clientWidth || this.opts.width || 640;
  }

  height() {
    return this.opts.height || 300;
  }

  /** Show new data: the test hooks see it as a new version. */
  render(data) {
    this.data = data;
    this.version++;
    registerPlot(this);
    this.lastWidth = this.el.clientWidth;
    this.draw();
  }

  resized() {
    this.draw();
  }

  dispose() {
    this.observer.disconnect();
    unregisterPlot(this);
  }
}

export class CanvasPlot extends BasePlot {
  constructor(el, opts) {
    super(el, opts);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'plot-canvas';
    el.append(this.canvas);
  }

  /** A line under the canvas that says what the pointer is over (the subclass's hover(ev)). */
  addHoverReadout(el) {
    this.readout = document.createElement('div');
    this.readout.className = 'readout';
    this.readout.innerHTML = '&nbsp;';
    el.append(this.readout);
    this.canvas.addEventListener('mousemove', (ev) => this.hover(ev));
    this.canvas.addEventListener('mouseleave', () => (this.readout.innerHTML = '&nbsp;'));
  }

  /** Size the canvas to the element and call paint(ctx, w, h) in CSS pixels. */
  draw() {
    if (!this.data) return;
    const dpr = window.devicePixelRatio || 1;
    const w = this.width();
    const h = this.height();
    const c = this.canvas;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = w + 'px';
      c.style.height = h + 'px';
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    this.paint(ctx, w, h);
  }

  legend() {
    return [];
  }

  async toPNG() {
    const w = this.width();
    const h = this.height();
    return composePNG({ title: this.title, width: w, height: h, parts: [{ canvas: this.canvas, x: 0, y: 0, w, h }], legend: this.legend() });
  }

  toSVG() {
    const w = this.width();
    const h = this.height();
    return svgDocument({ title: this.title, width: w, height: h, body: this.svgBody(w, h), legend: this.legend() });
  }
}
