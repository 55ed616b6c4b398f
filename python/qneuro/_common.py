"""Helpers shared by the qneuro Python modules: config arguments, paths, progress, arrays.

Configs reach the engines exactly as the CLI's do: a preset, then a TOML file, then
``key=value`` assignments (the CLI's ``--set``), resolved and validated by the C++ library,
so errors carry the CLI's messages.
"""

from __future__ import annotations

import math
import os
import shlex
import sys
import time
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from . import _core


class _DefaultPreset(str):
    """A preset name used when the caller gives no config file (as the CLI does)."""


def default_preset(name: str) -> str:
    return _DefaultPreset(name)


def toml_value(value: Any, key: str) -> str:
    """``value`` as a TOML value (the right-hand side of ``--set key=value``)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            raise _core.ConfigError(f"{key} = {v}: values must be finite")
        return repr(v)
    if isinstance(value, str):
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\t", "\\t"))
        return f'"{escaped}"'
    if isinstance(value, os.PathLike):
        return toml_value(os.fspath(value), key)
    if isinstance(value, np.ndarray):
        return toml_value(value.tolist(), key)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {toml_value(v, key + '.' + str(k))}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v, key) for v in value) + "]"
    raise _core.ConfigError(
        f"{key}: a value of type {type(value).__name__} cannot be a config value "
        "(use bool, int, float, str, or lists of them)")


def _flatten(prefix: str, value: Any, keys: set[str], out: list[tuple[str, Any]]) -> None:
    # A dict is a TOML table unless the dotted path itself is a key (range tables such as
    # bands = {alpha = [8, 13]} are values).
    if isinstance(value, Mapping) and prefix not in keys:
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, keys, out)
    else:
        out.append((prefix, value))


def resolve_key(name: str, keys: Iterable[str]) -> str:
    """A keyword argument name as a config key: ``a__b`` is ``a.b``; a name that is not a key
    but is the last part of exactly one key (``steps`` for ``time.steps``) means that key."""
    dotted = name.replace("__", ".")
    keys = list(keys)
    if dotted in keys or "." in dotted:
        return dotted
    matches = [k for k in keys if k.rsplit(".", 1)[-1] == dotted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise _core.ConfigError(
            f"'{name}' is ambiguous: it could be {', '.join(matches)}; "
            f"write the section with a double underscore, e.g. {matches[0].replace('.', '__')}=...")
    return dotted  # unknown: the library's message names it and the allowed keys


def config_arguments(config: Any, overrides: Mapping[str, Any], keys: Iterable[str],
                     preset: str | None, what: str) -> tuple[str, str | None, list[str]]:
    """(preset, config file, --set list) for config = None | dict | path, and **overrides."""
    keys = set(keys)
    file = None
    pairs: list[tuple[str, Any]] = []
    if config is None:
        pass
    elif isinstance(config, (str, os.PathLike)):
        file = os.fspath(config)
        if not os.path.exists(file):
            raise FileNotFoundError(2, f"{what}: config file not found", file)
    elif isinstance(config, Mapping):
        _flatten("", config, keys, pairs)
    else:
        raise TypeError(f"{what}: config must be None, a dict or a path to a TOML file, "
                        f"not {type(config).__name__}")
    for name, value in overrides.items():
        key = resolve_key(name, keys)
        _flatten(key, value, keys, pairs)
    sets = [f"{k}={toml_value(v, k)}" for k, v in pairs]
    if preset is None:
        preset = ""
    elif isinstance(preset, _DefaultPreset) and file is not None:
        preset = ""  # as the CLI: --config without --preset starts from the defaults
    return str(preset), file, sets


def out_dir(out: Any) -> str:
    if out is None:
        return ""
    path = os.fspath(out)
    if not path:
        raise ValueError("out must be a directory path (or None for no files)")
    return path


def command_line(function: str, **arguments: Any) -> str:
    """What run.json records as the command: the Python call."""
    shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items() if v is not None and v != {})
    return f"python: {function}({shown})"


def existing_file(path: Any, what: str) -> str:
    p = os.fspath(path)
    if not os.path.exists(p):
        raise FileNotFoundError(2, f"{what}: no such file", p)
    return p


class ProgressBar:
    """A one-line text bar on stderr (redrawn at most 10 times a second)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int, unit: str, detail: str, final: bool) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        frac = done / total if total else 1.0
        width = 24
        filled = int(round(frac * width))
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 and not final else 0.0
        line = (f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {100 * frac:5.1f}% "
                f"{done}/{total} {unit}  {rate:.3g} {unit}/s"
                + (f"  ETA {eta:.1f} s" if eta > 0 else f"  {elapsed:.1f} s")
                + (f"  {detail}" if detail else ""))
        self.stream.write(line)
        if final:
            self.stream.write("\n")
        self.stream.flush()


def progress_callback(progress: Any, label: str) -> Callable | None:
    """progress=False/None: nothing; True: a text bar on stderr; a callable: called as
    progress(done, total, unit, detail, final)."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return ProgressBar(label)
    if callable(progress):
        return progress
    raise TypeError("progress must be a bool or a callable progress(done, total, unit, detail, final)")


def real_array(data: Any, name: str, dtype) -> np.ndarray:
    """``data`` as a C-contiguous array of ``dtype``: no copy when it already is one; a copy for
    other real dtypes or layouts; InputError for complex, object, string or boolean data."""
    arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    kind = arr.dtype.kind
    if kind not in "fiu":
        raise _core.InputError(
            f"{name} has dtype {arr.dtype}; it must hold real numbers "
            f"({np.dtype(dtype).name} is taken without a copy)")
    return np.ascontiguousarray(arr, dtype=dtype)
