// Writes dev/sample-run.json: a small, made-up run-data JSON (schema qneuro.web.run/1) with every
// object the run view draws (eeg, analysis with pli/wpli, diagnostics, snapshots, spikes, flux,
// training). The numbers are synthetic but shaped like real ones (1/f spectra with an alpha
// peak, causal attention scores). Deterministic: node web/frontend/dev/make-sample-run.mjs

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 12345;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const r = (v, d = 4) => (Number.isFinite(v) ? Number(v.toPrecision(d)) : null);
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

// --- EEG: 8 channels, 160 Hz, 30 s, decimated to 1200 buckets of 4 samples
const channels = ['Fz', 'Cz', 'Pz', 'Oz', 'C3', 'C4', 'P3', 'P4'];
const fs = 160;
const dur = 30;
const per = 4;
const nb = (fs * dur) / per;
const eegMin = [];
const eegMax = [];
channels.forEach((_, c) => {
  const mn = [];
  const mx = [];
  let drift = 0;
  const phase = rand() * 6.28;
  for (let b = 0; b < nb; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < per; k++) {
      const t = (b * per + k) / fs;
      drift = 0.995 * drift + gauss() * 2;
      const alpha = (c >= 2 ? 25 : 12) * Math.sin(2 * Math.PI * 10 * t + phase) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 0.1 * t));
      const v = alpha + drift + gauss() * 6 + (c === 3 ? 40 : 0);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    mn.push(r(lo));
    mx.push(r(hi));
  }
  eegMin.push(mn);
  eegMax.push(mx);
});

// --- analysis: 1/f^chi spectra with an alpha peak
const freqs = range(161, (i) => i * 0.5);
const bands = [
  { name: 'delta', lo: 1, hi: 4 },
  { name: 'theta', lo: 4, hi: 8 },
  { name: 'alpha', lo: 8, hi: 13 },
  { name: 'beta', lo: 13, hi: 30 },
  { name: 'gamma', lo: 30, hi: 45 },
];
const expo = channels.map(() => r(1.2 + rand() * 0.6));
const offs = channels.map(() => r(2 + rand() * 0.5));
const psd = channels.map((_, c) =>
  freqs.map((f) => {
    if (f === 0) return r(Math.pow(10, offs[c]) * 0.5);
    const ap = Math.pow(10, offs[c] - expo[c] * Math.log10(f));
    const peak = (c >= 2 ? 60 : 20) * Math.exp(-((f - 10) ** 2) / 2);
    return r((ap + peak) * (1 + 0.15 * gauss() ** 2));
  }),
);
const bandPower = psd.map((p) => bands.map((b) => r(freqs.reduce((s, f, i) => s + (f >= b.lo && f < b.hi ? p[i] * 0.5 : 0), 0))));
const total = bandPower.map((bp) => r(bp.reduce((a, b) => a + b, 0)));
const relative = bandPower.map((bp, c) => bp.map((v) => r(v / total[c])));
const sym = (scale) => {
  const m = range(channels.length, () => range(channels.length, () => 0));
  for (let i = 0; i < channels.length; i++)
    for (let j = 0; j < i; j++) {
      const v = r(Math.min(1, Math.max(0, scale * (0.3 + 0.7 * rand()) / (1 + Math.abs(i - j) * 0.3))), 3);
      m[i][j] = m[j][i] = v;
    }
  return m;
};
const analysis = {
  channels,
  freqs,
  psd,
  bands,
  band_power: bandPower,
  relative_power: relative,
  total_power: total,
  peak_hz: channels.map(() => r(9.5 + rand())),
  spectral_entropy: channels.map(() => r(0.7 + rand() * 0.1)),
  aperiodic_exponent: expo,
  aperiodic_offset: offs,
  aperiodic_range_hz: [2, 40],
  pli: { alpha: sym(0.8), beta: sym(0.4) },
  wpli: { alpha: sym(0.9), beta: sym(0.5) },
};

// --- diagnostics: 41 rows
const steps = range(41, (i) => i * 50);
const diagnostics = {
  step: steps,
  t_s: steps.map((s) => r(s * 1e-3)),
  norm: steps.map((s) => r(1 - 2e-9 * s, 12)),
  energy: steps.map((s) => r(3.2 - 0.0001 * s + 0.01 * Math.sin(s / 200))),
  e_kinetic: steps.map((s) => r(1.8 + 0.2 * Math.sin(s / 300))),
  e_external: steps.map((s) => r(0.9 - 0.1 * Math.sin(s / 300))),
  e_connectivity: steps.map((s) => r(0.4 + 0.05 * Math.cos(s / 250))),
  e_mqp: steps.map((s) => r(0.1 + 0.02 * Math.sin(s / 100))),
  max_abs_q: steps.map((s) => r(0.5 + 0.3 * Math.abs(Math.sin(s / 400)))),
};

// --- snapshots: 3 snapshots × 2 slices × 32 × 32
const ny = 32;
const nx = 32;
const snapshots = {
  ny,
  nx,
  slices: 2,
  r_index: [8, 16],
  step: [0, 1000, 2000],
  data: range(3, (s) => {
    const out = [];
    for (let sl = 0; sl < 2; sl++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const cx = 16 + 6 * Math.cos(s * 1.2 + sl);
          const cy = 16 + 6 * Math.sin(s * 1.2 + sl);
          out.push(r(Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (18 + 6 * s)) * (1 - 0.3 * sl), 3));
        }
    return out;
  }),
};

// --- spikes: T = 500 steps of 1 ms, N = 100, raster of neurons < 60
const T = 500;
const rasterT = [];
const rasterN = [];
const rate = new Array(T).fill(0);
for (let t = 0; t < T; t++) {
  const p = 0.01 + 0.03 * (1 + Math.sin((2 * Math.PI * t) / 125)) / 2;
  for (let n = 0; n < 100; n++) {
    if (rand() < p) {
      rate[t] += 1;
      if (n < 60) {
        rasterT.push(t);
        rasterN.push(n);
      }
    }
  }
}
const volt = range(3, (k) => {
  let v = 0;
  return range(T, (t) => {
    v += (0.9 + 0.3 * Math.sin(t / 40 + k) - v) / 20 + gauss() * 0.03;
    if (v >= 1) {
      v = 0;
      return 0;
    }
    return r(v, 3);
  });
});
const spikes = {
  T,
  N: 100,
  B: 1,
  fs_hz: 1000,
  raster: { t: rasterT, n: rasterN, neurons: 60, truncated: false },
  rate_hz: rate.map((c) => r((c / 100) * 1000)),
  time_ms: range(T, (t) => t),
  voltage: volt,
  input: range(3, (k) => range(T, (t) => r(0.9 + 0.3 * Math.sin(t / 40 + k), 3))),
  show: [0, 1, 2],
};

// --- flux: 32 tokens, 3 layers, 4 heads
const text = 'ROMEO:\nBut soft, what light throu';
const tokens = Array.from(text).map((c) => c.codePointAt(0) % 65);
const Tt = tokens.length;
const L = 3;
let states = [tokens.map((v) => {
  const th = (2 * Math.PI * v) / 65 + Math.PI / 4;
  const rho = 0.5 + 0.5 * Math.sin(th);
  return [r(rho * Math.cos(th)), r(rho * Math.sin(th))];
})];
for (let l = 1; l <= L; l++) {
  const prev = states[l - 1];
  states.push(prev.map(([x, y], t) => {
    const a = 0.25 * l + t * 0.02;
    return [r((x * Math.cos(a) - y * Math.sin(a)) * 1.1), r((x * Math.sin(a) + y * Math.cos(a)) * 1.1)];
  }));
}
const causal = (sharp) =>
  range(Tt, (i) => {
    const w = range(Tt, (j) => (j <= i ? Math.exp(-sharp * Math.abs(i - j) + 0.5 * gauss()) : 0));
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => r(v / s, 3));
  });
const headScores = range(L, (l) => range(4, (h) => causal(0.2 + 0.3 * h + 0.1 * l)));
const scores = headScores.map((hs) => range(Tt, (i) => range(Tt, (j) => r(hs.reduce((s, m) => s + m[i][j], 0) / 4, 3))));
const trainSteps = range(50, (i) => (i + 1) * 20);
const flux = {
  kind: 'flux',
  text,
  tokens,
  states,
  scores,
  head_scores: headScores,
  coherence: [r(0.42), r(0.51), r(0.63)],
  train: {
    step: trainSteps,
    loss: trainSteps.map((s) => r(4.2 * Math.exp(-s / 300) + 1.6 + 0.05 * gauss())),
    cross_entropy: trainSteps.map((s) => r(4.2 * Math.exp(-s / 300) + 1.58 + 0.05 * gauss())),
    geometric: trainSteps.map(() => r(0.02)),
    lr: trainSteps.map(() => 0.003),
    tokens_per_s: trainSteps.map(() => r(52000 + 3000 * gauss())),
  },
  eval: { step: [200, 400, 600, 800, 1000], bits_per_char: [3.1, 2.6, 2.42, 2.35, 2.31] },
};

const run = {
  schema: 'qneuro.web.run/1',
  dir: 'runs/sample',
  engine: 'field',
  title: "field run 'demo' (completed) — sample data",
  summary: {
    schema: 'qneuro.field/1',
    preset: 'demo',
    state: 'completed',
    steps: 2000,
    dt: 0.001,
    grid: { nx: 64, ny: 64, nr: 32 },
    final: { norm: 0.999996, energy: 3.0012 },
    eeg: { channels: 8, fs_hz: 160, duration_s: 30 },
    wall_s: 12.34,
  },
  run: { version: '0.3.0', git: '6964b98', command: 'qneuro field --preset demo --out runs/sample', threads: 2, wall_s: 12.34 },
  config_toml: '[time]\nsteps = 2000\ndt = 0.001\n\n[grid]\nnx = 64\nny = 64\nnr = 32\n\n[readout]\nsigma = 0.25\nscale_uv = 100.0\n',
  eeg: {
    fs_hz: fs,
    channels,
    n_samples: fs * dur,
    duration_s: dur,
    step_s: per / fs,
    decimated: true,
    min: eegMin,
    max: eegMax,
    annotations: [
      { onset_s: 2, duration_s: 4, text: 'T1' },
      { onset_s: 10, duration_s: 4, text: 'T2' },
      { onset_s: 21.5, duration_s: 0, text: 'marker' },
    ],
  },
  analysis,
  diagnostics,
  snapshots,
  spikes,
  flux,
  training: { epoch: [1, 2, 3, 4, 5], loss: [1.2, 0.8, 0.6, 0.52, 0.47], train_accuracy: [0.62, 0.78, 0.85, 0.88, 0.9], test_accuracy: [0.6, 0.74, 0.8, 0.83, 0.84] },
};

const out = join(dirname(fileURLToPath(import.meta.url)), 'sample-run.json');
writeFileSync(out, JSON.stringify(run));
console.log(`wrote ${out}`);
