"""qneuro: quantum-inspired neural modelling (EEG analysis, neural field, QLIF, Quantum Flux).

The engines are the C++ libraries behind the ``qneuro`` command; this package calls them
directly, with NumPy arrays in and out, and writes the same files as the CLI when given ``out=``.

- :func:`read_edf`, :func:`read` and :func:`analyze`: EEG files and their analysis
  (the numbers of ``qneuro analyze``).
- :mod:`qneuro.field`: the 3-D neural field and its virtual EEG (``qneuro field``).
- :mod:`qneuro.snn`: QLIF populations (``qneuro snn``) and the quantum-map calibration.
- :mod:`qneuro.torch`: ``QLIFLayer``, a ``torch.nn.Module`` (imports PyTorch).
- :mod:`qneuro.flux`: the Quantum Flux language model (imports PyTorch).

``import qneuro`` does not import PyTorch; ``qneuro.torch`` and ``qneuro.flux`` do, when first
used. Errors: :class:`InputError` (a ``ValueError``; :class:`ConfigError` for config keys and
values), ``FileNotFoundError`` for missing files, :class:`RunError` (a ``RuntimeError``) and
:class:`NumericalError` for failures while running, ``KeyboardInterrupt`` when Ctrl-C stopped a
run (its files are complete and, for the field, resumable). See docs/python.md.
"""

from __future__ import annotations

import importlib as _importlib

from . import _core
from ._core import ConfigError, InputError, NumericalError, RunError
from .eeg import AnalysisResult, Recording, analyze, read, read_edf
from . import field, snn  # noqa: E402  (LibTorch-free)

__version__ = _core.version()

# Not qneuro.torch and qneuro.flux: `from qneuro import *` must not import PyTorch either.
__all__ = [
    "AnalysisResult", "ConfigError", "InputError", "NumericalError", "Recording", "RunError",
    "analyze", "config", "describe_config", "field", "get_threads", "read", "read_edf",
    "set_log_level", "set_threads", "snn", "version",
]


def version() -> str:
    """The version line of the libraries (version, git commit, build type)."""
    return _core.version_line()


def set_threads(n: int) -> None:
    """Threads of the engines' parallel loops (analyze, field, snn); 0 (the default) means
    OMP_NUM_THREADS if set, else all hardware threads, as the CLI. Results do not depend on it
    (bit-identical for any count). PyTorch's own setting is separate: QLIFLayer and flux run
    with ``torch.set_num_threads`` (Debian's python3-torch starts at 1 thread)."""
    _core.set_threads(int(n))


def get_threads() -> int:
    """Threads the next parallel loop will use."""
    return _core.get_threads()


def set_log_level(level: str) -> None:
    """The libraries' log on stderr: "warning" (the default in Python), "info" (what the CLI
    prints), or "debug"."""
    _core.set_log_level(level)


def describe_config(engine: str) -> str:
    """The config keys of an engine ("analyze", "field", "snn", "train", "flux") as a Markdown
    table: key, type, default, unit, allowed values, meaning (as ``--describe-config``)."""
    if engine in ("train", "flux"):
        from . import _torch_loader
        return _torch_loader.module().describe_config(engine)
    return _core.describe_config(engine)


def config(engine: str, config=None, preset: str | None = None, **overrides) -> dict:
    """The resolved config of an engine ("analyze", "field", "snn", "train", "flux") as a dict:
    defaults < preset < config (dict or TOML file) < overrides, validated as a run would be.
    E.g. ``qneuro.config("train", preset="default")["train"]["lr"]``."""
    import tomllib
    from . import _common
    module = _core
    if engine in ("train", "flux"):
        from . import _torch_loader
        module = _torch_loader.module()
    keys = module.config_keys(engine)
    preset_name, file, sets = _common.config_arguments(config, overrides, keys, preset, engine)
    return tomllib.loads(module.resolve_config(engine, preset_name, file, sets))


def __getattr__(name: str):
    # qneuro.torch and qneuro.flux import PyTorch: only when first used.
    if name in ("torch", "flux"):
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'qneuro' has no attribute '{name}'")
