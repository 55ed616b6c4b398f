// Views of a field run shared by the live monitor and the run view: diagnostics over time and
// density snapshots. Both can be updated as data streams in.

import { figure } from '../figure.js';
import { LinePlot } from '../plots/line.js';
import { HeatmapPlot } from '../plots/heatmap.js';
import { el, select, setOptions } from '../ui.js';

const GROUPS = {
  energy: { label: 'energy terms', keys: ['energy', 'e_kinetic', 'e_external', 'e_connectivity', 'e_mqp'], y: 'energy (model units)' },
  norm: { label: 'norm', keys: ['norm'], y: 'norm ‖ψ‖²' },
  max_abs_q: { label: 'max |Q|', keys: ['max_abs_q'], y: 'max |Q| (model units)' },
};

/** Diagnostics (norm, energy terms, max |Q|) against simulated time; id given by the owner. */
export class DiagnosticsView {
  constructor(parent, id, scope) {
    this.group = 'energy';
    this.diag = null;
    const sel = select(Object.entries(GROUPS).map(([k, g]) => [k, g.label]), this.group, (v) => {
      this.group = v;
      this.fig.plot.opts.yLabel = GROUPS[v].y;
      this.redraw();
    });
    this.fig = figure(parent, { id, title: 'Diagnostics', controls: [sel], scope }, (b) =>
      new LinePlot(b, { id, title: 'Diagnostics', xLabel: 'time (s)', yLabel: GROUPS.energy.y, height: 260, points: false }),
    );
  }

  /** diag: columns {step, t_s, norm, energy, ...}. */
  update(diag) {
    this.diag = diag;
    this.redraw();
  }

  redraw() {
    const d = this.diag;
    if (!d || !Array.isArray(d.t_s) || !d.t_s.length) return;
    const series = GROUPS[this.group].keys.filter((k) => Array.isArray(d[k])).map((k) => ({ label: k, y: d[k] }));
    this.fig.plot.render({ x: d.t_s, series, group: this.group, step: d.step });
  }
}

/**
 * Density snapshots |ψ|² (slices × ny × nx per snapshot): a snapshot select (when several) and
 * a slice select. snapshots = {ny, nx, slices, r_index?, step: [...], data: [[...]]}.
 */
export class SnapshotView {
  constructor(parent, id, scope, { title = 'Density snapshot |ψ|²' } = {}) {
    this.snap = 0;
    this.slice = 0;
    this.snaps = null;
    this.snapSel = select([], 0, (v) => {
      this.snap = Number(v);
      this.redraw();
    });
    this.sliceSel = select([], 0, (v) => {
      this.slice = Number(v);
      this.redraw();
    });
    this.fig = figure(parent, { id, title, controls: [el('span.note', { text: 'snapshot' }), this.snapSel, el('span.note', { text: 'slice' }), this.sliceSel], scope }, (b) =>
      new HeatmapPlot(b, { id, title, xLabel: 'x (grid index)', yLabel: 'y (grid index)', zLabel: '|ψ|²', origin: 'lower', square: true, height: 360 }),
    );
  }

  /** follow: show the newest snapshot (live monitor). */
  update(snaps, { follow = false } = {}) {
    this.snaps = snaps;
    const n = snaps.data.length;
    if (follow || this.snap >= n) this.snap = n - 1;
    setOptions(this.snapSel, snaps.data.map((_, i) => [i, `#${i} step ${snaps.step ? snaps.step[i] : '?'}`]), this.snap);
    const r = snaps.r_index;
    setOptions(this.sliceSel, Array.from({ length: snaps.slices }, (_, s) => [s, r && r[s] !== undefined ? `r = ${r[s]}` : `slice ${s}`]), Math.min(this.slice, snaps.slices - 1));
    this.slice = Number(this.sliceSel.value);
    this.redraw();
  }

  redraw() {
    const s = this.snaps;
    if (!s || !s.data.length) return;
    const { ny, nx } = s;
    const all = s.data[this.snap];
    const off = this.slice * ny * nx;
    const values = Array.prototype.slice.call(all, off, off + ny * nx);
    this.fig.plot.render({ rows: ny, cols: nx, values, snapshot: this.snap, slice: this.slice, step: s.step ? s.step[this.snap] : null });
  }
}
