"""Loads qneuro._torch (and PyTorch first, which registers the tensor types it uses)."""

from __future__ import annotations

import importlib

_module = None


def module():
    global _module
    if _module is None:
        import torch  # noqa: F401  (loads LibTorch and its Python bindings first)
        try:
            _module = importlib.import_module("qneuro._torch")
        except ImportError as e:
            raise ImportError(
                "qneuro was built without its LibTorch module (configure with "
                "-DQNEURO_WITH_TORCH=ON and python3-torch installed): " + str(e)) from e
    return _module
