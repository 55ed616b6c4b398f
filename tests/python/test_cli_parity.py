"""The same config through Python and through the CLI gives identical numbers and files
(field EEG, snn spikes and voltages, analysis summary), and the package's own files match the
CLI's byte for byte where they hold no clock readings."""

from __future__ import annotations

import json
import h5py
import numpy as np

import qneuro
from conftest import read_json, run_cli, strip_volatile


def test_field_eeg_identical_to_cli(tmp_path):
    run_cli("field", "--preset", "test", "--out", str(tmp_path / "cli"), "-q",
            "--set", "time.steps=256", "--set", "output.snapshot_every=64")
    r = qneuro.field.simulate(preset="test", out=tmp_path / "py", steps=256,
                              output__snapshot_every=64, progress=False)
    with h5py.File(tmp_path / "cli" / "eeg.h5") as f:
        np.testing.assert_array_equal(r.eeg, f["signals"][:])
        assert [c.decode() if isinstance(c, bytes) else c for c in f["channels"][:]] == r.electrodes
        np.testing.assert_array_equal(r.diagnostics["norm"], f["diagnostics/norm"][:])
        np.testing.assert_array_equal(r.snapshots.ravel(), f["snapshots/density"][:].ravel())
    with h5py.File(tmp_path / "py" / "eeg.h5") as f:
        np.testing.assert_array_equal(r.eeg, f["signals"][:])
    cli = read_json(tmp_path / "cli" / "summary.json")
    assert strip_volatile(read_json(tmp_path / "py" / "summary.json")) == strip_volatile(cli)
    assert strip_volatile(r.summary) == strip_volatile(cli)
    assert (tmp_path / "py" / "config.resolved.toml").read_text() == \
        (tmp_path / "cli" / "config.resolved.toml").read_text()
    assert r.eeg.shape == (len(r.electrodes), r.analysis.n_samples)
    assert r.positions.shape == (len(r.electrodes), 2)


def test_field_populations_identical_to_cli(tmp_path):
    """Issue 20: two coupled populations with dephasing, through Python and the CLI."""
    sets = {"populations.names": "[\"exc\", \"inh\"]", "populations.readout": "[1.0, -0.5]",
            "populations.coupling": "[1.0, -0.6, 0.6, 1.0]", "decoherence.rate_hz": "5.0",
            "decoherence.length": "0.2"}
    args = []
    for k, v in sets.items():
        args += ["--set", f"{k}={v}"]
    run_cli("field", "--preset", "test", "--out", str(tmp_path / "cli"), "-q",
            "--set", "time.steps=128", *args)
    r = qneuro.field.simulate(preset="test", out=tmp_path / "py", steps=128, progress=False,
                              populations__names=["exc", "inh"],
                              populations__readout=[1.0, -0.5],
                              populations__coupling=[1.0, -0.6, 0.6, 1.0],
                              decoherence__rate_hz=5.0, decoherence__length=0.2)
    assert sorted(r.population_diagnostics) == ["exc", "inh"]
    with h5py.File(tmp_path / "cli" / "eeg.h5") as f:
        np.testing.assert_array_equal(r.eeg, f["signals"][:])
        np.testing.assert_array_equal(r.population_diagnostics["inh"]["energy"],
                                      f["diagnostics/populations/inh/energy"][:])
    np.testing.assert_allclose(r.population_diagnostics["exc"]["norm"], 1.0, atol=1e-9)


def test_field_resume_continues_bit_identically(tmp_path):
    whole = qneuro.field.simulate(preset="test", steps=256, progress=False)
    first = qneuro.field.simulate(preset="test", steps=128, out=tmp_path / "run",
                                  output__checkpoint_every=128, progress=False)
    second = qneuro.field.resume(tmp_path / "run", steps=256, progress=False)
    assert second.steps == 256
    # The resumed result holds the whole record (the checkpoint carries the first part).
    np.testing.assert_array_equal(second.eeg, whole.eeg)
    np.testing.assert_array_equal(second.eeg[:, :first.eeg.shape[1]], first.eeg)


def test_snn_spikes_and_voltages_identical_to_cli(tmp_path):
    sets = {"sim.neurons": 48, "sim.steps": 300, "record.traces": "true", "input.kind": "poisson",
            "neuromod.signal": "sine"}
    args = [a for k, v in sets.items() for a in ("--set", f"{k}={v}")]
    run_cli("snn", "--preset", "test", "--out", str(tmp_path / "cli"), "-q", *args)
    r = qneuro.snn.simulate(preset="test", out=tmp_path / "py", sim__neurons=48, sim__steps=300,
                            record__traces=True, input__kind="poisson", neuromod__signal="sine")
    with h5py.File(tmp_path / "cli" / "spikes.h5") as f:
        np.testing.assert_array_equal(r.spikes, f["spikes"][:])
        np.testing.assert_array_equal(r.voltage, f["voltage"][:])
        np.testing.assert_array_equal(r.input, f["input"][:])
        for name in ("p", "D", "A", "E", "Theta"):
            np.testing.assert_array_equal(r.traces[name], f[name][:])
    assert strip_volatile(r.summary) == strip_volatile(read_json(tmp_path / "cli" / "summary.json"))
    assert r.spikes.shape == (300, 1, 48) and r.spikes.dtype == np.uint8


def test_snn_array_input_identical_to_cli_file_input(tmp_path):
    rng = np.random.default_rng(4)
    inputs = (1.5 * rng.random((200, 2, 16))).astype(np.float32)
    np.save(tmp_path / "in.npy", inputs)
    run_cli("snn", "--preset", "test", "--out", str(tmp_path / "cli"), "-q",
            "--set", "input.kind=file", "--set", f"input.path={tmp_path / 'in.npy'}")
    r = qneuro.snn.simulate(inputs)
    with h5py.File(tmp_path / "cli" / "spikes.h5") as f:
        np.testing.assert_array_equal(r.spikes, f["spikes"][:])
        np.testing.assert_array_equal(r.voltage, f["voltage"][:])


def test_analysis_summary_identical_to_cli(tmp_path, rec_edf):
    run_cli("analyze", str(rec_edf), "--out", str(tmp_path / "cli"))
    cli = strip_volatile(read_json(tmp_path / "cli" / "summary.json"))
    from_file = qneuro.analyze(rec_edf, out=tmp_path / "py")
    assert strip_volatile(from_file.summary) == cli
    assert strip_volatile(read_json(tmp_path / "py" / "summary.json")) == cli
    rec = qneuro.read_edf(rec_edf)
    from_array = qneuro.analyze(rec.data, rec.fs, rec.ch_names)
    a = strip_volatile(from_array.summary)
    a.pop("format")
    c = dict(cli)
    c.pop("format")
    assert a == c
    with h5py.File(tmp_path / "cli" / "analysis.h5") as f:
        np.testing.assert_array_equal(from_array.psd, f["psd"][:])
        np.testing.assert_array_equal(from_array.freqs, f["freqs"][:])
        np.testing.assert_array_equal(from_array.wpli, f["wpli"][:])
        np.testing.assert_array_equal(from_array.pli, f["pli"][:])


def test_analysis_arrays_match_the_summary(rec_edf):
    a = qneuro.analyze(rec_edf)
    for c, ch in enumerate(a.summary["per_channel"]):
        assert ch["name"] == a.channels[c]
        assert [ch["band_power"][b] for b in a.band_names] == list(a.band_power[c])
        assert [ch["relative_power"][b] for b in a.band_names] == list(a.relative_power[c])
        assert ch["spectral_entropy"] == a.spectral_entropy[c]
        assert ch["peak_hz"] == a.peak_hz[c]
        assert ch["aperiodic_exponent"] == a.aperiodic_exponent[c]
    assert a.band_power[:, a.band("alpha")].shape == (len(a.channels),)


def test_calibrate_matches_cli():
    cli = json.loads(run_cli("snn", "calibrate", "--p0", "0.02", "--slope", "0.1",
                                           "--json").stdout)
    py = qneuro.snn.calibrate(0.02, 0.1, map="sigmoid")
    assert py["q_bias"] == cli["q_bias"] and py["q_scale"] == cli["q_scale"]
