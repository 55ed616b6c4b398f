// The flux language model's figures (the run-data `flux` object; the original prototype's four
// figures): training metrics, polar token states per layer, state evolution across layers,
// attention scores per layer (and head), coherence per layer.
//
// Figure ids: flux-loss, flux-bpc, flux-polar, flux-evolution, flux-scores, flux-coherence.

import { figure } from '../figure.js';
import { LinePlot } from '../plots/line.js';
import { HeatmapPlot } from '../plots/heatmap.js';
import { PolarPlot } from '../plots/polar.js';
import { seriesColor } from '../plots/colormap.js';
import { el, select, setOptions } from '../ui.js';

/** Printable label of each token: its character when the text is the token sequence. */
function tokenLabels(f) {
  const T = (f.tokens || []).length || (f.states && f.states[0] ? f.states[0].length : 0);
  const chars = typeof f.text === 'string' ? Array.from(f.text) : [];
  const show = (c) => (c === '\n' ? '↵' : c === ' ' ? '·' : c === '\t' ? '⇥' : c);
  if (chars.length === T) return chars.map(show);
  return Array.from({ length: T }, (_, i) => String(f.tokens ? f.tokens[i] : i));
}

const QUANT = {
  r: { label: 'radius r', f: (x, y) => Math.hypot(x, y) },
  theta: { label: 'angle θ (rad)', f: (x, y) => Math.atan2(y, x) },
  x: { label: 'x', f: (x) => x },
  y: { label: 'y', f: (x, y) => y },
};

function evolutionData(f, q, labels) {
  const L1 = f.states.length;
  const T = f.states[0].length;
  const picks = [...new Set(Array.from({ length: Math.min(8, T) }, (_, i) => Math.round((i * (T - 1)) / Math.max(1, Math.min(8, T) - 1))))];
  return {
    x: Array.from({ length: L1 }, (_, l) => l),
    series: picks.map((t, i) => ({ label: `t=${t} '${labels[t]}'`, y: f.states.map((layer) => QUANT[q].f(layer[t][0], layer[t][1])), color: seriesColor(i) })),
    quantity: q,
    tokens: picks,
  };
}

function scoresData(f, layer, head, labels) {
  const M = head === 'mean' ? f.scores[layer] : f.head_scores[layer][Number(head)];
  const T = M.length;
  const values = new Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) values[i * T + j] = M[i][j];
  return { rows: T, cols: T, values, rowLabels: labels, colLabels: labels, layer, head, vmin: 0 };
}

export function renderFlux(parent, f, scope) {
  if (!f) return;
  const grid = el('div.fig-grid');
  parent.append(grid);
  const labels = tokenLabels(f);

  const tr = f.train;
  if (tr && Array.isArray(tr.step) && tr.step.length) {
    const series = ['loss', 'cross_entropy'].filter((k) => Array.isArray(tr[k])).map((k) => ({ label: k, y: tr[k] }));
    const fig = figure(grid, { id: 'flux-loss', title: 'Training loss', scope, note: 'nats per token; loss = cross-entropy + geometric term' }, (b) =>
      new LinePlot(b, { id: 'flux-loss', title: 'Training loss', xLabel: 'step', yLabel: 'loss (nats/token)', height: 240 }),
    );
    fig.plot.render({ x: tr.step, series });
  }
  const ev = f.eval;
  if (ev && Array.isArray(ev.step) && ev.step.length) {
    const fig = figure(grid, { id: 'flux-bpc', title: 'Held-out bits per character', scope }, (b) =>
      new LinePlot(b, { id: 'flux-bpc', title: 'Held-out bits per character', xLabel: 'step', yLabel: 'bits per character', height: 240, points: true }),
    );
    fig.plot.render({ x: ev.step, series: [{ label: 'bits/char', y: ev.bits_per_char }] });
  }

  if (Array.isArray(f.states) && f.states.length && f.states[0].length) {
    const fig = figure(grid, { id: 'flux-polar', title: 'Token states in the polar plane', wide: true, scope, note: 'one panel per layer (input first); colour: token position' }, (b) =>
      new PolarPlot(b, { id: 'flux-polar', title: 'Token states in the polar plane' }),
    );
    fig.plot.render({
      x: f.states.map((layer) => layer.map((p) => p[0])),
      y: f.states.map((layer) => layer.map((p) => p[1])),
      panels: f.states.map((_, l) => (l === 0 ? 'input' : `layer ${l}`)),
      tokens: f.tokens,
    });

    let q = 'r';
    const sel = select(Object.entries(QUANT).map(([k, v]) => [k, v.label]), q, (v) => {
      q = v;
      evo.plot.opts.yLabel = QUANT[v].label;
      evo.plot.render(evolutionData(f, q, labels));
    });
    const evo = figure(grid, { id: 'flux-evolution', title: 'State evolution across layers', controls: [sel], scope }, (b) =>
      new LinePlot(b, { id: 'flux-evolution', title: 'State evolution across layers', xLabel: 'layer (0 = input)', yLabel: QUANT.r.label, height: 260, points: true }),
    );
    evo.plot.render(evolutionData(f, q, labels));
  }

  if (Array.isArray(f.scores) && f.scores.length) {
    let layer = 0;
    let head = 'mean';
    const heads = () => (Array.isArray(f.head_scores) && f.head_scores[layer] ? f.head_scores[layer].length : 0);
    const headSel = select([], 'mean', (v) => {
      head = v;
      redraw();
    });
    const fillHeads = () => setOptions(headSel, [['mean', 'mean of heads'], ...Array.from({ length: heads() }, (_, h) => [h, `head ${h}`])], head);
    const layerSel = select(f.scores.map((_, l) => [l, `layer ${l + 1}`]), 0, (v) => {
      layer = Number(v);
      if (head !== 'mean' && Number(head) >= heads()) head = 'mean';
      fillHeads();
      redraw();
    });
    fillHeads();
    headSel.hidden = !Array.isArray(f.head_scores);
    const T = f.scores[0].length;
    const fig = figure(grid, { id: 'flux-scores', title: 'Attention scores', controls: [layerSel, headSel], scope, note: 'row i: query position, column j: attended position (j ≤ i)' }, (b) =>
      new HeatmapPlot(b, { id: 'flux-scores', title: 'Attention scores', xLabel: 'key position j', yLabel: 'query position i', zLabel: 'score', square: true, height: Math.max(300, Math.min(560, 90 + T * 6)) }),
    );
    const redraw = () => fig.plot.render(scoresData(f, layer, head, labels));
    redraw();
  }

  if (Array.isArray(f.coherence) && f.coherence.length) {
    const fig = figure(grid, { id: 'flux-coherence', title: 'Phase coherence per layer', scope, note: '|mean_t S_t / |S_t||' }, (b) =>
      new LinePlot(b, { id: 'flux-coherence', title: 'Phase coherence per layer', xLabel: 'layer', yLabel: 'coherence', height: 220, points: true }),
    );
    fig.plot.render({ x: f.coherence.map((_, l) => l + 1), series: [{ label: 'coherence', y: f.coherence }] });
  }

  if (typeof f.text === 'string' && f.text) {
    parent.append(el('details.section', { open: true }, el('summary', { text: `Text window (${labels.length} tokens${f.kind ? ', model ' + f.kind : ''})` }), el('pre.text', { text: f.text })));
  }
}
