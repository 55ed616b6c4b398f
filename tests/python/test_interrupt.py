"""Ctrl-C (KeyboardInterrupt) stops a long call cleanly: the run ends at a consistent point,
its files are complete (a field run can be resumed), and the interrupt reaches the caller. The
GIL is released while an engine runs (another Python thread keeps running)."""

from __future__ import annotations

import json
import _thread
import threading
import time

import numpy as np
import pytest

import qneuro


def ctrl_c_at(first_done: int):
    """A progress callback that presses Ctrl-C (sends SIGINT's KeyboardInterrupt to the main
    thread) once `first_done` units are done: deterministic, unlike a timer."""
    sent = []

    def progress(done, total, unit, detail, final):
        if done >= first_done and not sent:
            sent.append(done)
            _thread.interrupt_main()
    return progress


def test_field_run_interrupted_then_resumed(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        qneuro.field.simulate(preset="test", out=out, steps=100000, progress=ctrl_c_at(100))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["field"]["status"] == "interrupted"
    done = summary["field"]["steps"]
    assert 0 < done < 100000
    assert (out / "checkpoint.h5").exists() and (out / "eeg.h5").exists()
    assert not list(out.glob("*.tmp*"))  # no half-written file
    resumed = qneuro.field.resume(out, steps=done + 8, progress=False)
    assert resumed.steps == done + 8 and resumed.status == "completed"


def test_snn_run_interrupted(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        qneuro.snn.simulate(out=tmp_path / "pop", sim__neurons=4000, sim__steps=20000,
                            record__voltage=False, progress=ctrl_c_at(1))
    summary = json.loads((tmp_path / "pop" / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert 0 < summary["steps"] < 20000


def test_gil_released_during_a_run():
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    start = time.monotonic()
    qneuro.snn.simulate(sim__neurons=2000, sim__steps=2000, record__voltage=False)
    end = time.monotonic()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # With the GIL held for the whole run the ticker could not run at all in between.
    assert end - start > 0.05
    assert len(during) >= 3


def test_progress_callback_receives_steps():
    calls = []
    qneuro.field.simulate(preset="test", steps=256,
                          progress=lambda done, total, unit, detail, final: calls.append(
                              (done, total, unit, final)))
    assert calls and calls[-1] == (256, 256, "steps", True)
    assert all(c[1] == 256 for c in calls)
    with pytest.raises(ZeroDivisionError):
        qneuro.field.simulate(preset="test", steps=256, progress=lambda *a: 1 / 0)


def test_concurrent_calls_from_threads_give_the_sequential_results(rec_edf):
    """With the GIL released, calls from several Python threads really run at once; each gives
    what it gives alone (FFTW planning is serialised in core/fft.cpp, nothing else is shared)."""
    field_alone = qneuro.field.simulate(preset="test", steps=256, progress=False)
    analysis_alone = qneuro.analyze(rec_edf)
    snn_alone = qneuro.snn.simulate(preset="test", sim__steps=500)
    results = {}

    def run(name, fn):
        results[name] = fn()

    threads = [threading.Thread(target=run, args=(f"field{i}", lambda: qneuro.field.simulate(
                   preset="test", steps=256, progress=False))) for i in range(2)]
    threads += [threading.Thread(target=run, args=(f"analyze{i}", lambda: qneuro.analyze(rec_edf)))
                for i in range(2)]
    threads += [threading.Thread(target=run, args=("snn", lambda: qneuro.snn.simulate(
        preset="test", sim__steps=500)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        np.testing.assert_array_equal(results[f"field{i}"].eeg, field_alone.eeg)
        np.testing.assert_array_equal(results[f"analyze{i}"].psd, analysis_alone.psd)
        np.testing.assert_array_equal(results[f"analyze{i}"].wpli, analysis_alone.wpli)
    np.testing.assert_array_equal(results["snn"].spikes, snn_alone.spikes)
