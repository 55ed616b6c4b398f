// QLIF explorer: the controls of GET /api/qlif/controls as sliders; every change re-runs the
// population (POST /api/qlif) and redraws.
//
// Figure ids: qlif-voltage (membrane potential, threshold and input of the shown neurons),
// qlif-raster (spikes of neurons < 200), qlif-rate (population rate), qlif-traces (p, D, A, E
// or Theta per shown neuron; a select picks the variable).
// Hooks: #qlif-status (text includes the kernel seconds; data-runs = completed simulations);
// each control's wrapper has data-key="<config key>".

import { ApiError, getJSON, latestOnly, postJSON, schema } from '../api.js';
import { guard, reportError } from '../hooks.js';
import { Control } from '../controls.js';
import { figure } from '../figure.js';
import { LinePlot } from '../plots/line.js';
import { fmtValue } from '../plots/axes.js';
import { seriesColor } from '../plots/colormap.js';
import { parseTOML, flat } from '../toml.js';
import { debounce, el, errorBox, clearError, field, panel, select, setOptions } from '../ui.js';
import { rasterData, rasterFigure, rateFigure, voltageData, voltageFigure } from '../views/spikes.js';

const TRACES = { p: 'spike probability p', D: 'dynamic-probability trace D', A: 'adaptation A', E: 'synaptic efficiency E', Theta: 'threshold offset Θ' };

function parseShow(text) {
  const out = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ApiError(0, `not a neuron index or range: '${part}'`, 'show');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && out.length < 8; i++) out.push(i);
  }
  return out;
}

const same = (a, b) => (typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a) === JSON.stringify(b) : String(a) === String(b));

export function create(root) {
  const state = {
    preset: null,
    base: {},
    presetValues: {},
    changed: {},
    show: [0, 1, 2],
    runs: 0,
    traceVar: 'p',
    last: null,
  };
  const controls = new Map();
  const runLatest = latestOnly();

  // --- layout
  const presetSel = select([], null, (v) => guard('changing the preset', () => changePreset(v), general));
  const showInput = el('input.mono#qlif-show', { value: '0, 1, 2', title: 'neuron indices (at most 8), e.g. 0, 1, 5-7', spellcheck: false });
  showInput.addEventListener('change', () => {
    try {
      state.show = parseShow(showInput.value);
      clearError(showError);
      schedule();
    } catch (e) {
      reportError(e, 'shown neurons', showError);
    }
  });
  const showError = errorBox();
  const general = errorBox();
  const status = el('div.stats#qlif-status', { dataset: { runs: '0' }, text: 'not run yet' });
  const groupsEl = el('div.ctl-groups');
  const resetBtn = el('button.small', { text: 'reset', title: 'back to the preset values', onclick: () => reset() });
  const sidebar = el(
    'aside.sidebar',
    {},
    panel('Simulation', field('preset', presetSel), field('neurons shown', showInput), showError, el('div.row', {}, resetBtn, el('span.note', { text: 'changed keys are highlighted' })), status, general),
    panel('Parameters', groupsEl),
  );
  const grid = el('div.fig-grid');
  root.append(el('div.page', {}, sidebar, el('div.main', {}, grid)));

  const voltage = voltageFigure(grid, 'qlif-voltage');
  voltage.card.classList.add('wide');
  const raster = rasterFigure(grid, 'qlif-raster');
  const rate = rateFigure(grid, 'qlif-rate');
  const traceSel = select(Object.entries(TRACES).map(([k, v]) => [k, `${k}: ${v}`]), 'p', (v) => {
    state.traceVar = v;
    traces.plot.opts.yLabel = TRACES[v];
    drawTraces();
  });
  const traces = figure(grid, { id: 'qlif-traces', title: 'Decision traces', controls: [traceSel] }, (b) =>
    new LinePlot(b, { id: 'qlif-traces', title: 'Decision traces', xLabel: 'time (ms)', yLabel: TRACES.p, height: 220 }),
  );

  // --- values
  const current = (key) => {
    if (key in state.changed) return state.changed[key];
    if (key in state.base) return state.base[key];
    if (key in state.presetValues) return state.presetValues[key];
    const c = controls.get(key);
    return c ? c.spec.default : undefined;
  };

  function applyRequires() {
    for (const c of controls.values()) {
      const req = c.spec.requires;
      if (!req || typeof req !== 'object') {
        c.setEnabled(true);
        continue;
      }
      const unmet = Object.entries(req).filter(([k, want]) => {
        const v = current(k);
        if (v === undefined) return false; // unknown: do not block
        return Array.isArray(want) ? !want.some((w) => same(w, v)) : !same(want, v);
      });
      c.setEnabled(!unmet.length, unmet.length ? `acts only with ${unmet.map(([k, w]) => `${k} = ${Array.isArray(w) ? w.join(' or ') : w}`).join(', ')} (now ${unmet.map(([k]) => current(k)).join(', ')})` : '');
    }
  }

  function showValues() {
    for (const c of controls.values()) {
      c.set(current(c.key));
      c.setChanged(c.key in state.changed);
    }
    applyRequires();
  }

  async function loadPresetValues(preset) {
    // the preset's own values, so the sliders start where the simulation does
    try {
      const res = await postJSON('/api/resolve', { engine: 'snn', preset, set: {} });
      state.presetValues = flat(parseTOML(res.toml || ''));
    } catch (e) {
      state.presetValues = {};
      reportError(e, `values of preset ${preset}`, general);
    }
  }

  async function changePreset(p) {
    state.preset = p;
    state.changed = {};
    await loadPresetValues(p);
    showValues();
    schedule();
  }

  function reset() {
    state.changed = {};
    showValues();
    schedule();
  }

  function onControl(key, v) {
    state.changed[key] = v;
    const c = controls.get(key);
    if (c) c.setChanged(true);
    applyRequires();
    schedule();
  }

  // --- running
  async function run() {
    const body = { preset: state.preset, set: { ...state.base, ...state.changed }, show: state.show };
    status.classList.add('busy');
    try {
      const r = await runLatest((signal) => postJSON('/api/qlif', body, { signal }));
      if (r.stale) return;
      for (const c of controls.values()) c.clearError();
      clearError(general);
      draw(r.value);
    } catch (e) {
      const c = e.key && controls.get(e.key);
      if (c) reportError(e, 'simulation', c.error);
      else if (e.key === 'show') reportError(e, 'simulation', showError);
      else reportError(e, 'simulation', general);
    } finally {
      status.classList.remove('busy');
    }
  }
  const schedule = debounce(() => run(), 30);

  function draw(res) {
    state.last = res;
    const time = res.time_ms || [];
    const show = res.show || state.show;
    voltage.plot.render(voltageData(time, show, { voltage: res.voltage, threshold: res.threshold, input: res.input }));
    const dtMs = (res.dt || 1) * (res.time_unit_ms || 1);
    if (res.raster && Array.isArray(res.raster.t)) {
      raster.plot.render(rasterData(res.raster, res.T, dtMs));
      raster.setNote(`${res.raster.t.length} spikes of neurons 0–${res.raster.neurons - 1} of ${res.N}${res.raster.truncated ? ' (truncated)' : ''}`);
    }
    rate.plot.render({ x: time, series: [{ label: 'rate', y: res.rate_hz || [] }] });
    drawTraces();
    const s = res.stats || {};
    state.runs++;
    status.dataset.runs = String(state.runs);
    status.dataset.seconds = String(res.seconds);
    status.textContent =
      `run ${state.runs}: kernel ${Number.isFinite(res.seconds) ? Number(res.seconds.toPrecision(3)) : '–'} s · T = ${res.T}, N = ${res.N} · ` +
      `rate ${fmtValue(s.mean_rate_hz)} Hz · CV(ISI) ${fmtValue(s.cv_isi)} · Fano ${fmtValue(s.fano)} · ${s.total_spikes ?? '–'} spikes · mean V ${fmtValue(s.mean_voltage)}`;
  }

  function drawTraces() {
    const res = state.last;
    if (!res || !res.traces) return;
    const rows = res.traces[state.traceVar] || [];
    const show = res.show || state.show;
    traces.plot.render({ x: res.time_ms, series: rows.map((y, i) => ({ label: `${state.traceVar} n${show[i]}`, y, color: seriesColor(i) })), variable: state.traceVar });
  }

  // --- start
  async function init() {
    const [ctl, sc] = await Promise.all([getJSON('/api/qlif/controls'), schema('snn').catch(() => null)]);
    state.preset = ctl.preset || (sc && sc.default_preset) || 'default';
    state.base = ctl.base || {};
    const presets = sc && sc.presets ? sc.presets.map((p) => [p.name, p.name]) : [[state.preset, state.preset]];
    setOptions(presetSel, presets, state.preset);
    for (const g of ctl.groups || []) {
      const box = el('details.ctl-group', { open: true }, el('summary', { text: g.name }));
      for (const spec of g.keys || []) {
        const c = new Control(spec, onControl);
        controls.set(spec.key, c);
        box.append(c.el);
      }
      groupsEl.append(box);
    }
    await loadPresetValues(state.preset);
    showValues();
    await run();
  }

  const ready = guard('starting the QLIF explorer', init, general);
  return { ready };
}
