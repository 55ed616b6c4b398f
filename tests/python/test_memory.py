"""Reference counting and memory: repeated calls do not grow the process memory."""

from __future__ import annotations

import gc
import resource

import numpy as np
import pytest

import qneuro


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def grows(call, warmup: int = 3, repeats: int = 40) -> float:
    for _ in range(warmup):
        call()
    gc.collect()
    before = rss_mb()
    for _ in range(repeats):
        call()
    gc.collect()
    return rss_mb() - before


def test_analyze_and_read_do_not_leak(rec_edf):
    x = np.random.default_rng(0).standard_normal((16, 8192))  # 1 MB per call
    assert grows(lambda: qneuro.analyze(x, 256.0)) < 8
    assert grows(lambda: qneuro.read_edf(rec_edf)) < 8


def test_results_are_freed_with_their_arrays():
    # 250 x 4 x 1000 neuron-steps: voltage, input and five traces (float32) and spikes, ~29 MB
    # per result; 20 calls would add ~580 MB if the moved vectors were never released.
    def run():
        r = qneuro.snn.simulate(preset="test", sim__steps=250, sim__batch=4, sim__neurons=1000,
                                record__traces=True)
        assert r.voltage.base is not None  # owned by its capsule, not copied
    assert grows(run, repeats=20) < 40


def test_qlif_layer_does_not_leak():
    torch = pytest.importorskip("torch")
    try:
        from qneuro.torch import QLIFLayer
    except ImportError:
        pytest.skip("qneuro was built without LibTorch")
    layer = QLIFLayer(256)
    x = torch.rand(50, 16, 256, requires_grad=True)

    def step():
        layer.reset()
        layer(x).sum().backward()
    assert grows(step, repeats=60) < 8


def test_field_does_not_leak():
    assert grows(lambda: qneuro.field.simulate(preset="test", steps=64, progress=False),
                 repeats=20) < 8
