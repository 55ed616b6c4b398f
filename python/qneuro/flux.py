"""The Quantum Flux language model: ``qneuro flux train | eval | generate`` (docs/flux.md).

Importing this module imports PyTorch (``import qneuro`` alone does not).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import _common, _core, _torch_loader

_ext = _torch_loader.module()
_DEFAULT_PRESET = _common.default_preset("flux")


class FluxModel:
    """A trained character-level language model (from :func:`load` or :func:`train`)."""

    def __init__(self, model: Any, summary: dict | None = None):
        self._model = model
        #: summary.json of the training run that produced it (train() only)
        self.summary = summary

    def generate(self, prompt: str, tokens: int | None = None, top_k: int | None = None,
                 seed: int | None = None, temperature: float | None = None) -> str:
        """The text the model writes after ``prompt`` (which must use characters of its
        vocabulary): ``tokens`` new tokens, sampled from the ``top_k`` most likely (default:
        the checkpoint's generate.* keys), reproducibly for a ``seed``. Returns the new text
        (as ``qneuro flux generate`` prints it)."""
        return self._model.generate(prompt, tokens, top_k, temperature, seed)

    def evaluate(self, text: str, out: Any = None) -> dict:
        """bits_per_char, nats_per_token, tokens and characters of the model on ``text`` (as
        ``qneuro flux eval``; ``out`` writes its summary.json and run.json)."""
        return dict(self._model.evaluate(text, _common.out_dir(out),
                                         _common.command_line("FluxModel.evaluate", out=out)))

    def bits_per_char(self, text: str) -> float:
        """Bits per character of ``text`` under the model (lower is better)."""
        return self.evaluate(text)["bits_per_char"]

    @property
    def history(self) -> dict[str, np.ndarray]:
        """Training curves: step, loss, cross_entropy, geometric, lr, tokens_per_s per logged step;
        eval_step, eval_bits_per_char per held-out evaluation."""
        return dict(self._model.history())

    @property
    def config_toml(self) -> str:
        """The resolved config the model was trained with."""
        return self._model.config_toml

    @property
    def vocab_size(self) -> int:
        return self._model.vocab_size

    @property
    def parameter_count(self) -> int:
        return self._model.parameter_count

    def __repr__(self) -> str:
        where = f", {self._model.dir!r}" if self._model.dir else ""
        return f"FluxModel({self.parameter_count} parameters, vocab {self.vocab_size}{where})"


def load(checkpoint: str | os.PathLike) -> FluxModel:
    """Loads a checkpoint: a training output directory (holding checkpoint/) or the checkpoint
    directory itself. FileNotFoundError if missing; InputError naming what is wrong otherwise."""
    path = _common.existing_file(checkpoint, "flux.load")
    return FluxModel(_ext.flux_load(path))


def train(text: str | os.PathLike, config: Any = None, out: Any = None, *,
          preset: str | None = _DEFAULT_PRESET, resume: bool = False, progress: Any = False,
          **overrides: Any) -> FluxModel:
    """Trains a model on ``text`` as ``qneuro flux train`` does (the last tenth of the text is
    held out for evaluation).

    Args:
        text: the training text, or a path to a text file (``pathlib.Path``, or a str naming
            an existing file).
        config: None, a dict or a TOML file with the keys of ``qneuro.describe_config("flux")``.
        out: a directory for checkpoint/, viz.h5, summary.json, config.resolved.toml, run.json.
        preset: "flux" (default), "faithful", "transformer", "test"; below config and overrides.
        resume: continue from out/checkpoint (train.steps may grow).
        progress: True for a progress bar on stderr, or a callable.
        **overrides: config keys (``train__steps=200``, or ``steps=200`` when unique).

    Returns:
        FluxModel (its ``summary`` is summary.json). KeyboardInterrupt on Ctrl-C, after a final
        evaluation and checkpoint (``resume=True`` continues).
    """
    name = "text"
    if isinstance(text, os.PathLike) or (isinstance(text, str) and len(text) < 4096
                                         and "\n" not in text and os.path.isfile(text)):
        name = os.fspath(text)
        with open(name, "rb") as f:
            text = f.read()  # bytes, as the CLI reads them (UTF-8 or a byte tokenizer)
    if not isinstance(text, (str, bytes)) or not text:
        raise _core.InputError("flux.train: the text is empty")
    keys = _ext.config_keys("flux")
    preset_name, file, sets = _common.config_arguments(config, overrides, keys, preset, "flux")
    out_path = _common.out_dir(out)
    cmd = _common.command_line("qneuro.flux.train", text=name, config=config, preset=preset,
                               out=out, **overrides)
    summary, model = _ext.flux_train(text, preset_name, file, sets, out_path, bool(resume), name,
                                     cmd, _common.progress_callback(progress, "flux"))
    return FluxModel(model, summary)


def presets() -> dict[str, str]:
    """Preset names and what each is for."""
    return dict(_ext.presets("flux"))
