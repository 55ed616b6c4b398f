"""Populations of quantum leaky integrate-and-fire (QLIF) neurons: ``qneuro snn`` (docs/snn.md).

The model's equations, units and modes are in docs/snn.md (and include/qneuro/snn/qlif_step.hpp);
time is in steps of ``neuron.dt`` model units, ``sim.time_unit_ms`` milliseconds each.
For a trainable layer inside a PyTorch model, see :class:`qneuro.torch.QLIFLayer`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _common, _core
from .eeg import AnalysisResult

_DEFAULT_PRESET = _common.default_preset(_core.snn_default_preset())


class SnnResult:
    """What a population run produced. Arrays are (T, B, N): steps, batch, neurons.

    Attributes:
        spikes: uint8 0/1. voltage: float32 membrane potential after reset (None unless
            record.voltage). traces: dict of float32 arrays p (spike probability), D
            (depression), A (adaptation), E (neuromodulator), Theta (threshold), with
            record.traces = True.
        input: float32 input current (the generated one, or what was given).
        modulation: (T,) the neuromodulation signal, or None.
        population_signal: (rows, T) mean voltage (or input) per batch row, at ``fs``.
        rate_hz: (N,) firing rate per neuron, Hz. fs: 1 / step, Hz. dt_ms: ms per step.
        analysis: AnalysisResult of the population signal (None when T < 64).
        summary: summary.json as a dict. status: "completed" or "interrupted".
        seconds: wall time of the kernel. config_toml: the resolved config
            (config.resolved.toml); ``tomllib.loads`` gives it as a dict.
    """

    def __init__(self, d: dict):
        self.spikes: np.ndarray = d["spikes"]
        self.voltage: np.ndarray | None = d["voltage"]
        self.traces: dict[str, np.ndarray] = dict(d["traces"])
        self.input: np.ndarray = d["input"]
        self.modulation: np.ndarray | None = d["modulation"]
        self.population_signal: np.ndarray = d["population_signal"]
        self.rate_hz: np.ndarray = d["rate_hz"]
        self.fs: float = d["fs"]
        self.dt_ms: float = d["dt_ms"]
        self.analysis = AnalysisResult(d["analysis"]) if d["analysis"] is not None else None
        self.summary: dict = d["summary"]
        self.status: str = d["status"]
        self.seconds: float = d["seconds"]
        self.config_toml: str = d["config_toml"]

    @property
    def times_ms(self) -> np.ndarray:
        """Step times, ms."""
        return np.arange(self.spikes.shape[0]) * self.dt_ms

    def __repr__(self) -> str:
        T, B, N = self.spikes.shape
        return (f"SnnResult({self.status}, T={T} B={B} N={N}, {int(self.spikes.sum())} spikes, "
                f"population rate {self.summary.get('rates', {}).get('population_rate_hz', 0):.3g} Hz)")


def simulate(inputs: Any = None, config: Any = None, preset: str | None = _DEFAULT_PRESET,
             out: Any = None, progress: Any = False, **overrides: Any) -> SnnResult:
    """Runs a QLIF population as ``qneuro snn`` does.

    Args:
        inputs: None (the config's generated input: input.kind = ramp, constant, sine, poisson,
            noise), or an input current array (T, B, N) or (T, N), which sets sim.steps,
            sim.batch and sim.neurons; float32 C-contiguous arrays are read without conversion,
            other real dtypes are converted.
        config: None, a dict or a TOML file with the keys of ``qneuro snn --describe-config``.
        preset: "default" (quantum mode, sigmoid map), "compat", "deterministic",
            "stochastic", "test"; None for the built-in defaults. With a config file and the
            default preset no preset is applied (as the CLI).
        out: a directory for spikes.h5, summary.json, config.resolved.toml and run.json.
        progress: True for a progress bar on stderr, or a callable.
        **overrides: config keys: ``sim__neurons=1000``, ``neuron__tau=10.0``, ``mode="deterministic"``,
            ``record__traces=True``, or a unique last part (``neurons=1000``, ``tau=10.0``).

    Raises:
        InputError/ConfigError (ValueError) for bad arrays, keys or values; KeyboardInterrupt on
        Ctrl-C (the run stops after its current chunk; with ``out`` its files hold those steps).
    """
    keys = _core.config_keys("snn")
    preset_name, file, sets = _common.config_arguments(config, overrides, keys, preset, "snn")
    arr = None
    if inputs is not None:
        arr = _common.real_array(inputs, "inputs", np.float32)
    out_path = _common.out_dir(out)
    cmd = _common.command_line("qneuro.snn.simulate", config=config, preset=preset, out=out,
                               **overrides)
    d = _core.snn_simulate(arr, preset_name, file, sets, out_path, cmd,
                           _common.progress_callback(progress, "snn"))
    return SnnResult(d)


def calibrate(p0: float, slope: float, map: str = "sigmoid", leak: float = 0.0) -> dict:
    """q_bias and q_scale that give spike probability p0 at threshold (Δ = 0) and slope
    dp/dΔ there, for the quantum map ``map`` ("sigmoid", "tanh", "sin2"; ``qneuro snn
    calibrate``). Returns {"q_bias", "q_scale", "p_at_0", "slope_at_0"} (the last two are the
    numerical check). InputError for targets the map cannot reach."""
    return dict(_core.snn_calibrate(float(p0), float(slope), str(map), float(leak)))


def presets() -> dict[str, str]:
    """Preset names and what each is for."""
    return dict(_core.presets("snn"))
