"""EEG recordings and their analysis: the numbers of ``qneuro analyze`` (docs/analyze.md).

Units: signals in microvolts (µV), frequencies in Hz, PSD in µV²/Hz, band powers in µV².
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from . import _common, _core

# MNE channel types whose data MNE holds in volts (qneuro works in microvolts).
_VOLTAGE_TYPES = {"eeg", "eog", "ecg", "emg", "seeg", "ecog", "dbs", "bio"}


@dataclass
class Recording:
    """A multichannel recording in microvolts.

    Attributes:
        data: float64 array (channels, samples), µV.
        fs: sampling rate, Hz.
        ch_names: channel labels.
        annotations: list of (onset_s, duration_s, text) (EDF+/BDF+ annotations,
            BrainVision markers).
        format: "edf", "edf+", "bdf", "bdf+", "brainvision", "csv" or "hdf5".
        source: the file it was read from.
    """

    data: np.ndarray
    fs: float
    ch_names: list[str]
    annotations: list[tuple[float, float, str]] = field(default_factory=list)
    format: str = ""
    source: str = ""

    @property
    def duration(self) -> float:
        """Seconds."""
        return self.data.shape[1] / self.fs

    def to_mne(self, ch_types: str | list[str] = "eeg"):
        """This recording as an ``mne.io.RawArray`` (data converted from µV to MNE's volts, the
        annotations kept). Needs MNE (Debian: python3-mne)."""
        return to_mne(self.data, self.fs, self.ch_names, self.annotations, ch_types)

    def __repr__(self) -> str:
        return (f"Recording({self.data.shape[0]} channels x {self.data.shape[1]} samples at "
                f"{self.fs:g} Hz, {self.duration:.1f} s, {len(self.annotations)} annotations, "
                f"{self.format} {self.source!r})")


def to_mne(data: np.ndarray, fs: float, ch_names: Sequence[str],
           annotations: Sequence[tuple[float, float, str]] = (), ch_types: Any = "eeg"):
    """An ``mne.io.RawArray`` of ``data`` (channels, samples) in µV: MNE holds volts, so the
    data is scaled by 1e-6; annotations (onset_s, duration_s, text) become MNE annotations."""
    import mne
    info = mne.create_info(list(ch_names), float(fs), ch_types=ch_types)
    raw = mne.io.RawArray(np.asarray(data, dtype=np.float64) * 1e-6, info, verbose="error")
    if len(annotations):
        onset, duration, text = zip(*annotations)
        raw.set_annotations(mne.Annotations(onset, duration, text))
    return raw


def read(path: str | os.PathLike) -> Recording:
    """Reads an EDF/EDF+, CSV or qneuro HDF5 recording (format from the content), in µV.

    EDF signals are scaled to µV from their physical dimension; the "EDF Annotations" signal
    becomes ``annotations``. Raises FileNotFoundError, or InputError (a ValueError) naming the
    file and what is wrong with it (the CLI's message)."""
    p = _common.existing_file(path, "read")
    d = _core.read_recording(p)
    return Recording(d["data"], d["fs"], list(d["ch_names"]),
                     [tuple(a) for a in d["annotations"]], d["format"], d["source"])


def read_edf(path: str | os.PathLike) -> Recording:
    """Reads an EDF or EDF+ file: data (µV, float64 [channels, samples]), fs (Hz), channel
    names and annotations (see :func:`read`). InputError if the file is not EDF."""
    rec = read(path)
    if not rec.format.startswith("edf"):
        raise InputError(f"{os.fspath(path)}: not an EDF file (it reads as {rec.format}); "
                         "use qneuro.read for CSV and HDF5")
    return rec


InputError = _core.InputError


class AnalysisResult:
    """The analysis of a recording, as ``qneuro analyze`` computes it.

    Attributes (C channels, F frequencies, K bands):
        summary: summary.json as a dict (schema qneuro.analysis/1).
        channels: channel names (C).
        sfreq: sampling rate, Hz. n_samples: samples per channel.
        freqs: (F,) Hz. psd: (C, F) Welch PSD, µV²/Hz.
        band_names: (K) names; band_edges: (K, 2) [lo, hi) Hz.
        band_power: (C, K) µV²; relative_power: (C, K) fraction of total_power.
        total_power: (C,) µV² over the analysis range.
        spectral_entropy: (C,) normalised Shannon entropy of the PSD over the range, in [0, 1].
        peak_hz: (C,) frequency of the largest PSD value in the range.
        peaks: list of (k, 3) arrays per channel: frequency Hz, power µV²/Hz, prominence dB.
        aperiodic_exponent, aperiodic_offset: (C,) fit of log10 P = offset - exponent log10 f.
        pli, wpli: (K, C, C) phase lag index and weighted PLI per band (None without
            connectivity).
    """

    def __init__(self, d: dict):
        self.summary: dict = d["summary"]
        self.channels: list[str] = list(d["channels"])
        self.sfreq: float = d["sfreq"]
        self.n_samples: int = d["n_samples"]
        self.freqs: np.ndarray = d["freqs"]
        self.psd: np.ndarray = d["psd"]
        self.band_names: list[str] = list(d["band_names"])
        self.band_edges: np.ndarray = d["band_edges"]
        self.band_power: np.ndarray = d["band_power"]
        self.relative_power: np.ndarray = d["relative_power"]
        self.total_power: np.ndarray = d["total_power"]
        self.spectral_entropy: np.ndarray = d["spectral_entropy"]
        self.peak_hz: np.ndarray = d["peak_hz"]
        self.peaks: list[np.ndarray] = list(d["peaks"])
        self.aperiodic_exponent: np.ndarray = d["aperiodic_exponent"]
        self.aperiodic_offset: np.ndarray = d["aperiodic_offset"]
        self.pli: np.ndarray | None = d["pli"]
        self.wpli: np.ndarray | None = d["wpli"]

    def band(self, name: str) -> int:
        """Index of band ``name`` in band_names (ValueError listing them otherwise)."""
        try:
            return self.band_names.index(name)
        except ValueError:
            raise ValueError(f"no band '{name}' (bands: {', '.join(self.band_names)})") from None

    def __repr__(self) -> str:
        rows = [f"AnalysisResult({len(self.channels)} channels, {self.sfreq:g} Hz, "
                f"{self.n_samples} samples; bands {', '.join(self.band_names)}"
                f"{'; PLI/wPLI' if self.pli is not None else ''})"]
        for c, name in enumerate(self.channels[:8]):
            rel = " ".join(f"{100 * v:5.1f}%" for v in self.relative_power[c])
            rows.append(f"  {name:>8}: {rel}  peak {self.peak_hz[c]:.2f} Hz  "
                        f"entropy {self.spectral_entropy[c]:.3f}")
        if len(self.channels) > 8:
            rows.append(f"  ... {len(self.channels) - 8} more")
        return "\n".join(rows)


def _is_mne_raw(x: Any) -> bool:
    return (hasattr(x, "get_data") and hasattr(x, "info") and hasattr(x, "ch_names")
            and not isinstance(x, np.ndarray))


def _from_mne(raw: Any) -> tuple[np.ndarray, float, list[str]]:
    data = np.asarray(raw.get_data(), dtype=np.float64)
    try:
        types = raw.get_channel_types()
    except AttributeError:
        types = ["eeg"] * data.shape[0]
    scale = np.array([1e6 if t in _VOLTAGE_TYPES else 1.0 for t in types])
    return np.ascontiguousarray(data * scale[:, None]), float(raw.info["sfreq"]), list(raw.ch_names)


def analyze(data: Any, fs: float | None = None, ch_names: Sequence[str] | None = None,
            config: Any = None, *, preset: str | None = None, out: Any = None,
            progress: Any = False, **overrides: Any) -> AnalysisResult:
    """Analyses a recording as ``qneuro analyze`` does: Welch PSD, band powers, relative powers,
    spectral entropy, peaks, aperiodic exponent per channel; PLI and wPLI per band.

    Args:
        data: one of
            - an array (channels, samples) in µV (a 1-D array is one channel); float64
              C-contiguous data is read in place, other real dtypes and layouts are converted;
            - an MNE ``Raw`` (anything with ``get_data()``, ``info["sfreq"]`` and ``ch_names``):
              EEG-type channels are converted from MNE's volts to µV;
            - a path to an EDF/EDF+, CSV or qneuro HDF5 file (read as the CLI reads it).
        fs: sampling rate in Hz (arrays only).
        ch_names: channel names (arrays only; default "ch0", "ch1", ...).
        config: None, a dict ({"welch": {"segment_s": 4}}) or a TOML file: the keys of
            ``qneuro analyze --describe-config`` (``qneuro.describe_config("analyze")``).
        preset: an analysis preset (``qneuro analyze --preset``), below config and overrides.
        out: a directory to write summary.json, analysis.h5, config.resolved.toml and run.json
            (the CLI's files); None writes nothing.
        progress: True for a progress bar on stderr, or a callable
            progress(done, total, unit, detail, final).
        **overrides: config keys as keyword arguments: ``connectivity__enabled=False``,
            ``welch__overlap=0.75`` (``__`` separates sections) or a unique last part
            (``overlap=0.75``).

    Returns:
        AnalysisResult (its ``summary`` is summary.json as a dict).

    Raises:
        InputError (ValueError): bad data (wrong shape or dtype, NaN, too short), bad keys or
        values (ConfigError). FileNotFoundError: a missing file. KeyboardInterrupt: Ctrl-C.
    """
    keys = _core.config_keys("analyze")
    preset_name, file, sets = _common.config_arguments(config, overrides, keys, preset, "analyze")
    cb = _common.progress_callback(progress, "analyze")
    out_path = _common.out_dir(out)
    input_file = None
    source = "array"
    names: list[str] = []
    arr = np.zeros((0, 0))
    if isinstance(data, (str, os.PathLike)):
        input_file = _common.existing_file(data, "analyze")
        source = input_file
        if fs is not None or ch_names is not None:
            raise ValueError("analyze: fs and ch_names are read from the file; drop them")
    elif _is_mne_raw(data):
        arr, fs, names = _from_mne(data)
        source = "mne.Raw"
        fname = getattr(data, "filenames", None)
        if fname and fname[0]:
            source = f"mne.Raw({os.fspath(fname[0])})"
    else:
        arr = _common.real_array(data, "data", np.float64)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise InputError(f"data must be (channels, samples), got shape {arr.shape}")
        if fs is None:
            raise InputError("analyze: fs (the sampling rate in Hz) is required for an array")
        names = [str(n) for n in ch_names] if ch_names is not None else [
            f"ch{i}" for i in range(arr.shape[0])]
    cmd = _common.command_line("qneuro.analyze", source=source, config=config, preset=preset,
                               **overrides)
    d = _core.analyze(arr, float(fs or 0.0), names, source, input_file, preset_name, file, sets,
                      out_path, cmd, cb)
    return AnalysisResult(d)
