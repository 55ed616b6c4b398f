// Colours: viridis (perceptually uniform, readable in grey and by most colour-blind readers) for
// every continuous scale, and a qualitative palette for series.
//
// viridis is computed from a degree-6 polynomial fit of the matplotlib table (max error about
// 0.3 % per channel), so the bundle carries 21 numbers instead of a 256-entry table.

const C = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

function viridisRGB(t) {
  const out = [0, 0, 0];
  for (let ch = 0; ch < 3; ch++) {
    let v = C[6][ch];
    for (let k = 5; k >= 0; k--) v = v * t + C[k][ch];
    out[ch] = Math.max(0, Math.min(255, Math.round(v * 255)));
  }
  return out;
}

/** 256 × RGB lookup table, built once. */
export const VIRIDIS = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(viridisRGB(i / 255), i * 3);
  return lut;
})();

/** CSS colour of viridis at t in [0, 1]. */
export function viridis(t) {
  const i = Math.max(0, Math.min(255, Math.round((Number.isFinite(t) ? t : 0) * 255))) * 3;
  return `rgb(${VIRIDIS[i]},${VIRIDIS[i + 1]},${VIRIDIS[i + 2]})`;
}

// Qualitative series colours (Tableau 10, slightly darkened for thin lines on white).
export const PALETTE = [
  '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

export const seriesColor = (i) => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];

/** The colour of missing values (NaN/null) in heat maps. */
export const MISSING = [224, 224, 224];
