"""qneuro.flux: training, loading, generation and evaluation give the CLI's numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import qneuro
from conftest import SOURCE, read_json, run_cli, strip_volatile

TEXT = SOURCE / "tests" / "regression" / "golden" / "inputs" / "text.txt"


@pytest.fixture(autouse=True)
def torch_one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # as the CLI's --threads 1
    yield
    torch.set_num_threads(before)


def test_train_generate_and_evaluate_as_the_cli(tmp_path):
    run_cli("flux", "train", "--preset", "test", "--text", str(TEXT), "--out", str(tmp_path / "cli"),
            "-q")
    model = qneuro.flux.train(TEXT, preset="test", out=tmp_path / "py")
    cli = strip_volatile(read_json(tmp_path / "cli" / "summary.json"))
    py = strip_volatile(read_json(tmp_path / "py" / "summary.json"))
    cli.pop("text", None)
    py.pop("text", None)
    assert py == cli
    assert strip_volatile(model.summary) == strip_volatile(read_json(tmp_path / "py" / "summary.json"))
    hist = model.history
    assert len(hist["step"]) > 0 and np.all(np.isfinite(hist["loss"]))

    loaded = qneuro.flux.load(tmp_path / "cli")
    cli_text = run_cli("flux", "generate", "--checkpoint", str(tmp_path / "cli"), "--prompt", "the ",
                       "--tokens", "40", "--seed", "7").stdout
    assert loaded.generate("the ", tokens=40, seed=7) in cli_text
    assert model.generate("the ", tokens=40, seed=7) == loaded.generate("the ", tokens=40, seed=7)

    run_cli("flux", "eval", "--checkpoint", str(tmp_path / "cli"), "--text", str(TEXT), "--out",
            str(tmp_path / "eval"))
    cli_eval = read_json(tmp_path / "eval" / "summary.json")
    text = TEXT.read_text()
    assert loaded.bits_per_char(text) == pytest.approx(cli_eval["bits_per_char"], rel=1e-12)
    assert loaded.vocab_size == model.vocab_size and loaded.parameter_count > 0


def test_flux_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        qneuro.flux.load(tmp_path / "nothing")
    with pytest.raises(qneuro.InputError, match="checkpoint"):
        qneuro.flux.load(tmp_path)
    with pytest.raises(qneuro.ConfigError, match="unknown key 'train.nope'"):
        qneuro.flux.train("some text " * 50, preset="test", train__nope=1)
    with pytest.raises(qneuro.InputError, match="empty"):
        qneuro.flux.train("", preset="test")
