#!/usr/bin/env python3
"""A population of quantum leaky integrate-and-fire (QLIF) neurons driven by a ramp.

The example of the original QLIF README, with qneuro's population engine (``qneuro snn``):
100 neurons in the default quantum mode (spike probability p = sin^2(theta/2) of a one-qubit
rotation, sigmoid map) receive the same ramp current for 500 steps of 1 ms. The figure shows,
for one neuron, the input current, the membrane potential with its adaptive threshold
(V_th0 + Theta, clamped) and its spikes, and the spike raster of the whole population.

Units: time in ms (one step = neuron.dt = 1 model unit = sim.time_unit_ms = 1 ms); currents,
potentials and thresholds in the model's volt-like units "V" (docs/snn.md); rates in Hz.

    PYTHONPATH=build/python python3 examples/python/qlif_population.py [OUT_DIR]

writes OUT_DIR/qlif_population.png (default: the current directory).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import qneuro  # noqa: E402

N_NEURONS = 100
N_STEPS = 500
V_TH0 = 1.0               # initial threshold V_th0, V (the engine's default, set explicitly)
MIN_TH, MAX_TH = 0.5, 2.0  # clamp of the effective threshold V_th0 + Theta, V


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    out_dir.mkdir(parents=True, exist_ok=True)

    # Keyword arguments are config keys (qneuro.describe_config("snn")): "__" separates the
    # section, e.g. input__kind is input.kind. The ramp input is 0 for the first quarter of the
    # run, rises linearly to input.level + input.amplitude = 1.7 V until three quarters, then
    # drops back to 0. record__traces=True keeps p, D, A, E and Theta for every neuron-step.
    result = qneuro.snn.simulate(
        preset="default", sim__neurons=N_NEURONS, sim__steps=N_STEPS, sim__seed=1,
        input__kind="ramp", input__level=1.2, input__amplitude=0.5,
        neuron__V_th=V_TH0, neuron__min_threshold=MIN_TH, neuron__max_threshold=MAX_TH,
        record__voltage=True, record__traces=True)
    print(result)

    t_ms = result.times_ms                      # (T,) ms
    spikes = result.spikes[:, 0, :]             # (T, N) 0/1, batch row 0
    if spikes.sum() == 0:
        raise SystemExit("no spikes: the ramp should drive the population above threshold")

    # The neuron with the most spikes shows the threshold adaptation best.
    n = int(np.argmax(spikes.sum(axis=0)))
    current = result.input[:, 0, n]             # V
    voltage = result.voltage[:, 0, n]           # V, after reset
    # Effective threshold: V_th0 + Theta (Theta += eta s - eta Theta (1 - s)), clamped.
    threshold = np.clip(V_TH0 + result.traces["Theta"][:, 0, n], MIN_TH, MAX_TH)
    p_spike = result.traces["p"][:, 0, n]       # spike probability per step
    spike_t = t_ms[spikes[:, n] > 0]

    rates = result.summary["rates"]
    print(f"neuron {n}: {len(spike_t)} spikes, {result.rate_hz[n]:.1f} Hz; population "
          f"{rates['population_rate_hz']:.2f} Hz, {rates['total_spikes']} spikes, "
          f"ISI CV {rates['isi_cv']:.2f}, Fano factor {rates['fano_factor']:.2f}")

    fig, axes = plt.subplots(4, 1, figsize=(9, 9), sharex=True,
                             gridspec_kw={"height_ratios": [1, 2, 1, 2.5]})
    axes[0].plot(t_ms, current, color="tab:green")
    axes[0].set_ylabel("input I (V)")
    axes[0].set_title(f"QLIF population ({N_NEURONS} neurons, quantum mode, ramp input)")

    axes[1].plot(t_ms, voltage, color="tab:blue", lw=0.8, label="membrane V")
    axes[1].plot(t_ms, threshold, color="tab:red", lw=1.2, label="threshold V_th0 + Theta")
    axes[1].plot(spike_t, np.full_like(spike_t, voltage.max() + 0.15), "|", color="k",
                 markersize=8, label="spikes")
    axes[1].set_ylabel(f"neuron {n} (V)")
    axes[1].legend(loc="upper left", fontsize=8)

    axes[2].plot(t_ms, p_spike, color="tab:purple", lw=0.8)
    axes[2].set_ylabel("spike prob. p")

    tt, nn = np.nonzero(spikes)
    axes[3].scatter(t_ms[tt], nn, s=2, color="k", marker="|")
    axes[3].set_ylabel("neuron")
    axes[3].set_ylim(-1, N_NEURONS)
    axes[3].set_xlabel("time (ms)")
    rate_ax = axes[3].twinx()                   # population rate in 10 ms bins
    bins = np.arange(0, N_STEPS + 1, 10)
    counts, _ = np.histogram(t_ms[tt], bins=bins * result.dt_ms)
    rate_ax.step(bins[:-1] * result.dt_ms, counts / (N_NEURONS * 10 * result.dt_ms * 1e-3),
                 where="post", color="tab:orange", lw=1)
    rate_ax.set_ylabel("population rate (Hz)", color="tab:orange")

    fig.tight_layout()
    png = out_dir / "qlif_population.png"
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
