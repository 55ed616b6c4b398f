// Figure cards: title, optional controls, the plot, a note, and the PNG / SVG export buttons.
// Every figure of the app and the report goes through here, so every one can be exported and
// is reachable by the tests through data-plot-id and window.qneuro.plots.

import { el } from './ui.js';
import { guard } from './hooks.js';
import { download } from './plots/export.js';

/** Plots created together (one run view, one page section), disposed together. */
export class Scope {
  constructor() {
    this.plots = [];
  }
  add(plot) {
    this.plots.push(plot);
    return plot;
  }
  dispose() {
    for (const p of this.plots) p.dispose();
    this.plots = [];
  }
}

/**
 * figure(parent, {id, title, wide, note, controls: [nodes], scope}, (body) => plot)
 * → {card, plot, body, setNote(text)}.
 */
export function figure(parent, spec, make) {
  const body = el('div.fig-body');
  const tools = el('div.fig-tools', {}, ...(spec.controls || []));
  const png = el('button.small', { text: 'PNG', title: 'download as PNG' });
  const svg = el('button.small', { text: 'SVG', title: 'download as SVG' });
  const note = el('div.fig-note', { text: spec.note || '' });
  const card = el(
    `figure.fig${spec.wide ? '.wide' : ''}`,
    { dataset: { plotId: spec.id } },
    el('figcaption', {}, el('span.fig-title', { text: spec.title }), tools, el('span.fig-export', {}, png, svg)),
    body,
    note,
  );
  parent.append(card);
  const plot = make(body);
  if (spec.scope) spec.scope.add(plot);
  png.onclick = () =>
    guard(`PNG of ${spec.id}`, async () => {
      if (!plot.data) throw new Error('nothing drawn yet');
      download(`${spec.id}.png`, await plot.toPNG());
    });
  svg.onclick = () =>
    guard(`SVG of ${spec.id}`, () => {
      if (!plot.data) throw new Error('nothing drawn yet');
      download(`${spec.id}.svg`, plot.toSVG(), 'image/svg+xml');
    });
  return { card, plot, body, setNote: (t) => (note.textContent = t) };
}
