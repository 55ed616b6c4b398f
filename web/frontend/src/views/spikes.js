// Spiking populations (the QLIF explorer's result and the run-data `spikes` object): raster,
// population rate, membrane potentials. Shared so the explorer and the run view draw alike.

import { figure } from '../figure.js';
import { LinePlot } from '../plots/line.js';
import { RasterPlot } from '../plots/raster.js';
import { seriesColor } from '../plots/colormap.js';

export function rasterFigure(parent, id, scope) {
  return figure(parent, { id, title: 'Spike raster', scope }, (b) => new RasterPlot(b, { id, title: 'Spike raster', xLabel: 'time (ms)', yLabel: 'neuron', height: 260 }));
}

export function rateFigure(parent, id, scope) {
  return figure(parent, { id, title: 'Population rate', scope }, (b) => new LinePlot(b, { id, title: 'Population rate', xLabel: 'time (ms)', yLabel: 'rate (Hz)', height: 220 }));
}

export function voltageFigure(parent, id, scope) {
  return figure(parent, { id, title: 'Membrane potential', scope, note: 'solid: V after reset; dashed: threshold V_th0 + Θ; thin: input (V units, V_th = 1)' }, (b) =>
    new LinePlot(b, { id, title: 'Membrane potential', xLabel: 'time (ms)', yLabel: 'V (model units, V_th = 1)', height: 280 }),
  );
}

/** Raster data from a {t, n, neurons} raster with step indices and the step length in ms. */
export function rasterData(raster, T, dtMs) {
  return { t: raster.t, n: raster.n, neurons: raster.neurons, truncated: !!raster.truncated, T, dt_ms: dtMs };
}

/** Voltage, threshold and input per shown neuron (threshold and input optional). */
export function voltageData(timeMs, show, { voltage, threshold, input }) {
  const series = [];
  (voltage || []).forEach((v, i) => series.push({ label: `V n${show[i]}`, y: v, color: seriesColor(i), width: 1.5 }));
  (threshold || []).forEach((v, i) => series.push({ label: `V_th n${show[i]}`, y: v, color: seriesColor(i), dash: [6, 4], width: 1 }));
  (input || []).forEach((v, i) => series.push({ label: `I n${show[i]}`, y: v, color: seriesColor(i), width: 0.8 }));
  return { x: timeMs, series, show };
}

/** The step length in ms from a time axis (falls back to 1000 / fs). */
export function stepMs(timeMs, fsHz) {
  if (Array.isArray(timeMs) && timeMs.length > 1) return timeMs[1] - timeMs[0];
  return fsHz ? 1000 / fsHz : 1;
}

/** The run-data `spikes` object: ids run-raster, run-rate, run-voltage. */
export function renderSpikes(parent, s, scope) {
  const dt = stepMs(s.time_ms, s.fs_hz);
  const time = Array.isArray(s.time_ms) ? s.time_ms : (s.rate_hz || []).map((_, i) => i * dt);
  if (s.raster && Array.isArray(s.raster.t)) {
    const f = rasterFigure(parent, 'run-raster', scope);
    f.plot.render(rasterData(s.raster, s.T, dt));
    f.setNote(`${s.raster.t.length} spikes of neurons 0–${s.raster.neurons - 1}${s.raster.truncated ? ' (truncated)' : ''}; N = ${s.N}${s.B > 1 ? `, batch ${s.B}` : ''}`);
  }
  if (Array.isArray(s.rate_hz)) {
    const f = rateFigure(parent, 'run-rate', scope);
    f.plot.render({ x: time, series: [{ label: 'rate', y: s.rate_hz }] });
  }
  if (Array.isArray(s.voltage) && s.voltage.length) {
    const f = voltageFigure(parent, 'run-voltage', scope);
    f.plot.render(voltageData(time, s.show || s.voltage.map((_, i) => i), { voltage: s.voltage, input: s.input }));
  }
}
