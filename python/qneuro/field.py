"""The 3-D (x, y, r) neural field and its virtual EEG: ``qneuro field`` (docs/field.md).

    i D ∂ψ/∂t = −D² (∂x² + ∂y² + γ_r ∂r²) ψ + (V_ext + V_conn + λ_Q Q − i W) ψ

stepped by Strang splitting with unitary ADI Crank-Nicolson factors (or split-step Fourier), read
out by virtual electrodes as EEG (µV) and analysed as ``qneuro analyze`` would.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import _common, _core
from .eeg import AnalysisResult

_DEFAULT_PRESET = _common.default_preset(_core.field_default_preset())


class FieldResult:
    """What a field run produced.

    Attributes (E electrodes, S samples):
        eeg: (E, S) float64, µV. fs: sampling rate of the EEG, Hz.
        electrodes: labels (E). positions: (E, 2) electrode (x, y), model length units.
        diagnostics: dict of arrays per diagnostics row: step, t_s, norm, energy, e_kinetic,
            e_external, e_connectivity, e_mqp, max_abs_q, min_amplitude, clamped,
            mean_position (n, 3). With several populations (populations.names) these are
            the system's rows (norm: the mean of the populations' norms; energies summed).
        population_diagnostics: {population name: its own diagnostics dict} (empty for one
            population).
        snapshots: (K, slices, ny, nx) float32 densities |ψ|²; snapshot_steps (K);
            snapshot_slices (slices) r indices.
        analysis: AnalysisResult of the EEG (None when too short).
        summary: summary.json as a dict. status: "completed" or "stopped" (a health check
            stopped it; stop_reason says why). steps: steps the state has advanced.
        config_toml: the resolved config (config.resolved.toml). out: the output directory.
    """

    def __init__(self, d: dict, out: str):
        self.eeg: np.ndarray = d["eeg"]
        self.fs: float = d["fs"]
        self.electrodes: list[str] = list(d["electrodes"])
        self.positions: np.ndarray = d["positions"]
        self.diagnostics: dict[str, np.ndarray] = dict(d["diagnostics"])
        self.population_diagnostics: dict[str, dict[str, np.ndarray]] = {
            name: dict(rows) for name, rows in d["population_diagnostics"].items()}
        self.snapshots: np.ndarray = d["snapshots"]
        self.snapshot_steps: np.ndarray = d["snapshot_steps"]
        self.snapshot_slices: np.ndarray = d["snapshot_slices"]
        self.analysis: AnalysisResult | None = (
            AnalysisResult(d["analysis"]) if d["analysis"] is not None else None)
        self.summary: dict = d["summary"]
        self.status: str = d["status"]
        self.stop_reason: str = d["stop_reason"]
        self.steps: int = d["steps"]
        self.stepping_seconds: float = d["stepping_seconds"]
        self.config_toml: str = d["config_toml"]
        self.preset: str = d["preset"]
        self.out: str | None = out or None

    @property
    def times(self) -> np.ndarray:
        """Sample times of ``eeg``, seconds."""
        return np.arange(self.eeg.shape[1]) / self.fs

    def to_mne(self):
        """The virtual EEG as an ``mne.io.RawArray`` (EEG channels, volts as MNE holds them),
        for MNE's own analyses and plots. Needs MNE (Debian: python3-mne)."""
        from .eeg import to_mne
        return to_mne(self.eeg, self.fs, self.electrodes)

    def __repr__(self) -> str:
        return (f"FieldResult({self.status}, {self.steps} steps, EEG {self.eeg.shape[0]} x "
                f"{self.eeg.shape[1]} at {self.fs:g} Hz, {len(self.snapshot_steps)} snapshots"
                f"{', out=' + repr(self.out) if self.out else ''})")



def simulate(config: Any = None, preset: str | None = _DEFAULT_PRESET, out: Any = None,
             progress: Any = True, **overrides: Any) -> FieldResult:
    """Simulates the neural field as ``qneuro field`` does and returns its EEG.

    Args:
        config: None, a dict ({"time": {"steps": 512}}) or a TOML file with the keys of
            ``qneuro field --describe-config`` (``qneuro.describe_config("field")``).
        preset: "demo" (64×64×32, seconds on 2 cores), "test", "seed", ... applied below config
            and overrides; None for the built-in defaults. With a config *file* and the default
            preset, no preset is applied (as ``qneuro field --config FILE``).
        out: a directory for eeg.h5, eeg.edf, summary.json, config.resolved.toml, run.json and
            checkpoint.h5 (with output.checkpoint_every); None keeps everything in memory.
        progress: True (default) for a progress bar on stderr, False for none, or a callable
            progress(done, total, unit, detail, final).
        **overrides: config keys: ``time__steps=256`` (``__`` separates sections), or a unique
            last part (``steps=256``).

    Returns:
        FieldResult. A run a health check stopped (non-finite state, norm drift) returns with
        status "stopped" and what it recorded (the CLI exits 1 there).

    Raises:
        ConfigError/InputError (ValueError) for bad keys or values; KeyboardInterrupt on Ctrl-C,
        after the run stopped at the end of a step and, with ``out``, wrote its outputs and a
        checkpoint (continue with :func:`resume`).
    """
    keys = _core.config_keys("field")
    preset_name, file, sets = _common.config_arguments(config, overrides, keys, preset, "field")
    out_path = _common.out_dir(out)
    cmd = _common.command_line("qneuro.field.simulate", config=config, preset=preset,
                               out=out, **overrides)
    d = _core.field_simulate(preset_name, file, sets, out_path, cmd,
                             _common.progress_callback(progress, "field"))
    return FieldResult(d, out_path)


def resume(out: str | os.PathLike, progress: Any = True, **overrides: Any) -> FieldResult:
    """Continues the run in ``out`` from its checkpoint.h5, bit-identically (as
    ``qneuro field --resume out``). Only time.steps and output.* (not output.snapshot_r) may be
    changed, e.g. ``resume(out, steps=4096)``. The result holds the whole run's record (EEG
    and diagnostics from step 0), as eeg.h5 then does."""
    path = _common.out_dir(out)
    if not os.path.isdir(path):
        raise FileNotFoundError(2, "field.resume: no such run directory", path)
    keys = _core.config_keys("field")
    _, _, sets = _common.config_arguments(None, overrides, keys, None, "field.resume")
    cmd = _common.command_line("qneuro.field.resume", out=out, **overrides)
    d = _core.field_resume(path, sets, cmd, _common.progress_callback(progress, "field"))
    return FieldResult(d, path)


def presets() -> dict[str, str]:
    """Preset names and what each is for."""
    return dict(_core.presets("field"))


def resolve_config(config: Any = None, preset: str | None = _DEFAULT_PRESET,
                   **overrides: Any) -> str:
    """The resolved config as TOML (what config.resolved.toml will hold), without running."""
    keys = _core.config_keys("field")
    preset_name, file, sets = _common.config_arguments(config, overrides, keys, preset, "field")
    return _core.resolve_config("field", preset_name, file, sets)
