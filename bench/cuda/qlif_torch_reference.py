#!/usr/bin/env python3
"""The QLIF quantum step as a PyTorch user would write it, timed on the same GPU as qneuro's
kernel (docs/gpu.md): the baseline of the ratios bench_qlif_cuda reports.

The step is the default model of docs/snn.md (quantum mode, sigmoid map, adaptive threshold,
AHP, adaptation, synaptic depression, refractory trace, dynamic-probability trace, membrane
noise), one (N,) tensor per state variable, a Python loop over T, spikes (uint8) and voltages
(float32) written into preallocated (T, N) tensors. Random numbers come from torch's generator
(not qneuro's Philox streams): this is a speed reference, not an exactness one.

  python3 qlif_torch_reference.py [--neurons 16000000] [--steps 100] [--device cuda]
                                  [--repeats 3] [--no-compile]

Prints one JSON line per variant: eager, and torch.compile of the step (where available).
"""
import argparse
import json
import math
import time

import torch


def make_step(dt=1.0, tau=20.0, noise=0.1, vth0=1.0, min_th=0.5, max_th=2.0, eta=0.1,
              q_scale=2.0, q_bias=-2.3, base_alpha=2.0, tau_adapt=20.0, dsp_min=0.05,
              dsp_max=5.0, tau_ref=6.0, tau_ahp=120.0, ahp_jump=0.3, g_ahp=0.2, ahp_max=2.0,
              adaptation_decay=0.9, spike_increase=0.5, depression_rate=0.1,
              recovery_rate=0.05):
    dsp_decay = math.exp(-dt / tau_adapt)
    ref_decay = math.exp(-dt / tau_ref)
    ahp_decay = math.exp(-dt / tau_ahp)

    def step(I, V, A, E, H, R, D, Th, s_prev, xi, u):
        vth = torch.clamp(vth0 + Th, min_th, max_th)
        i_eff = I * E - A - g_ahp * H
        V = V + (dt / tau) * (i_eff - V) + noise * xi
        delta = V - vth
        D = D * dsp_decay + s_prev
        half = (math.pi / 2) * torch.sigmoid(q_scale * delta + q_bias)
        p = torch.sin(half) ** 2
        z = (u < p).to(V.dtype)
        V = V - z * V
        R = R * ref_decay + z
        H = torch.clamp(H * ahp_decay + ahp_jump * z, max=ahp_max)
        A = A * adaptation_decay + spike_increase * z
        E = torch.clamp(E * (1 - depression_rate * z) + recovery_rate * (1 - E), 0, 1)
        Th = Th + eta * z - eta * Th * (1 - z)
        return V, A, E, H, R, D, Th, z
    # The dynamic slope and the refractory factor of the stochastic mode do not enter the
    # quantum map; D and R are still carried, as in the model.
    _ = (base_alpha, dsp_min, dsp_max)
    return step


def run(step, N, T, device, repeats):
    I = torch.linspace(0.8, 2.2, N, device=device)
    spikes = torch.empty((T, N), dtype=torch.uint8, device=device)
    volts = torch.empty((T, N), dtype=torch.float32, device=device)
    times = []
    for r in range(repeats + 1):
        zeros = lambda: torch.zeros(N, device=device)
        V, A, H, R, D, Th, s = zeros(), zeros(), zeros(), zeros(), zeros(), zeros(), zeros()
        E = torch.ones(N, device=device)
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.no_grad():
            for t in range(T):
                xi = torch.randn(N, device=device)
                u = torch.rand(N, device=device)
                V, A, E, H, R, D, Th, s = step(I, V, A, E, H, R, D, Th, s, xi, u)
                spikes[t] = s.to(torch.uint8)
                volts[t] = V
        if device == "cuda":
            torch.cuda.synchronize()
        if r > 0:  # r = 0 warms up (and compiles)
            times.append(time.perf_counter() - t0)
    rate = float(spikes.float().mean())
    return min(times), sorted(times)[len(times) // 2], rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=int, default=16_000_000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-compile", action="store_true")
    a = ap.parse_args()
    step = make_step()
    variants = [("eager", step)]
    if not a.no_compile and hasattr(torch, "compile"):
        variants.append(("torch.compile", torch.compile(step)))
    for name, fn in variants:
        best, median, rate = run(fn, a.neurons, a.steps, a.device, a.repeats)
        print(json.dumps({"bench": "torch_reference", "variant": name, "device": a.device,
                          "torch": torch.__version__, "neurons": a.neurons, "steps": a.steps,
                          "seconds_best": round(best, 5), "seconds_median": round(median, 5),
                          "neuron_steps_per_s": a.neurons * a.steps / best,
                          "spike_rate": round(rate, 5)}), flush=True)


if __name__ == "__main__":
    main()
