// Time navigation for trace plots: window length, position slider, step buttons, and the mouse
// wheel over the plot. It only reports the wanted view; the owner draws or fetches.

import { el, select } from '../ui.js';

const WINDOWS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

export class Scroller {
  /**
   * opts: {duration (s), window (s or 'all'), start (s), onView(t0, t1), onGain(g), wheelTarget}
   */
  constructor(opts) {
    this.opts = opts;
    this.duration = opts.duration;
    this.t0 = opts.start || 0;
    const choices = WINDOWS.filter((w) => w < opts.duration).map((w) => [w, `${w} s`]);
    choices.push(['all', 'all']);
    this.win = opts.window === 'all' || !(opts.window < opts.duration) ? opts.duration : opts.window;
    this.winSel = select(choices, opts.window === 'all' || !(opts.window < opts.duration) ? 'all' : opts.window, (v) => {
      this.win = v === 'all' ? this.duration : Number(v);
      this.move(this.t0);
    });
    this.slider = el('input.scroll', { type: 'range', min: 0, max: 1000, step: 1, value: 0, title: 'position' });
    this.slider.addEventListener('input', () => this.move((Number(this.slider.value) / 1000) * Math.max(0, this.duration - this.win)));
    const btn = (text, title, f) => el('button.small', { text, title, onclick: () => this.move(this.t0 + f * this.win) });
    this.label = el('span.note.mono');
    const gains = [0.25, 0.5, 1, 2, 4, 8];
    this.gainSel = select(gains.map((g) => [g, `×${g}`]), 1, (v) => opts.onGain && opts.onGain(Number(v)), { title: 'amplitude gain' });
    this.el = el(
      'div.scroller',
      {},
      el('span.note', { text: 'window' }),
      this.winSel,
      btn('«', 'back one window', -1),
      btn('‹', 'back half a window', -0.5),
      this.slider,
      btn('›', 'forward half a window', 0.5),
      btn('»', 'forward one window', 1),
      el('span.note', { text: 'gain' }),
      this.gainSel,
      this.label,
    );
    if (opts.wheelTarget) this.attachWheel(opts.wheelTarget);
    this.update();
  }

  /** The mouse wheel over `target` scrolls time (a fraction of the window per notch). */
  attachWheel(target) {
    target.addEventListener('wheel', (ev) => this.wheel(ev), { passive: false });
  }

  wheel(ev) {
    if (this.win >= this.duration) return;
    ev.preventDefault();
    const d = Math.abs(ev.deltaX) > Math.abs(ev.deltaY) ? ev.deltaX : ev.deltaY;
    this.move(this.t0 + Math.sign(d) * Math.max(0.02, Math.min(1, Math.abs(d) / 500)) * this.win);
  }

  setDuration(d) {
    this.duration = d;
    this.update();
  }

  move(t0) {
    this.t0 = Math.max(0, Math.min(t0, Math.max(0, this.duration - this.win)));
    this.update();
    this.opts.onView(this.t0, this.t0 + this.win);
  }

  update() {
    const span = Math.max(0, this.duration - this.win);
    this.slider.value = String(span > 0 ? Math.round((this.t0 / span) * 1000) : 0);
    this.slider.disabled = span <= 0;
    this.label.textContent = `${this.t0.toFixed(2)}–${Math.min(this.duration, this.t0 + this.win).toFixed(2)} s of ${this.duration.toFixed(2)} s`;
  }

  view() {
    return [this.t0, this.t0 + this.win];
  }
}
