"""MNE interop: analysing an MNE Raw built from an EDF gives the numbers of analysing the file."""

from __future__ import annotations

import numpy as np
import pytest

import qneuro

mne = pytest.importorskip("mne")


def compare(from_raw: qneuro.AnalysisResult, from_file: qneuro.AnalysisResult) -> None:
    # MNE scales digital values to volts with its own arithmetic; after x1e6 the signals agree
    # with qneuro's µV to a few ulps, and so do the spectra.
    assert from_raw.channels == from_file.channels
    assert from_raw.sfreq == from_file.sfreq and from_raw.n_samples == from_file.n_samples
    np.testing.assert_allclose(from_raw.psd, from_file.psd, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(from_raw.band_power, from_file.band_power, rtol=1e-9)
    np.testing.assert_allclose(from_raw.relative_power, from_file.relative_power, rtol=1e-9)
    np.testing.assert_allclose(from_raw.spectral_entropy, from_file.spectral_entropy, rtol=1e-9)
    np.testing.assert_array_equal(from_raw.peak_hz, from_file.peak_hz)
    np.testing.assert_allclose(from_raw.aperiodic_exponent, from_file.aperiodic_exponent, rtol=1e-8)
    np.testing.assert_allclose(from_raw.wpli, from_file.wpli, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(from_raw.pli, from_file.pli, rtol=1e-7, atol=1e-9)


def test_mne_raw_of_the_test_edf(rec_edf):
    raw = mne.io.read_raw_edf(rec_edf, preload=True, verbose="error")
    compare(qneuro.analyze(raw), qneuro.analyze(rec_edf))


def test_mne_raw_of_a_real_64_channel_recording(eegmmidb_edf):
    raw = mne.io.read_raw_edf(eegmmidb_edf, preload=True, verbose="error")
    from_raw = qneuro.analyze(raw)
    from_file = qneuro.analyze(eegmmidb_edf)
    assert len(from_raw.channels) == 64
    compare(from_raw, from_file)
    # qneuro.read_edf agrees with MNE's reader on the signals (MNE in volts).
    rec = qneuro.read_edf(eegmmidb_edf)
    np.testing.assert_allclose(rec.data, raw.get_data() * 1e6, rtol=1e-12, atol=1e-9)
    assert [a[2] for a in rec.annotations] == list(raw.annotations.description)
    np.testing.assert_allclose([a[0] for a in rec.annotations], raw.annotations.onset)


def test_recording_and_field_results_convert_to_mne(rec_edf):
    rec = qneuro.read_edf(rec_edf)
    raw = rec.to_mne()
    np.testing.assert_allclose(raw.get_data() * 1e6, rec.data, rtol=1e-15)
    assert raw.ch_names == rec.ch_names and raw.info["sfreq"] == rec.fs
    assert list(raw.annotations.description) == [a[2] for a in rec.annotations]
    np.testing.assert_allclose(raw.annotations.onset, [a[0] for a in rec.annotations])
    # Round trip: analysing the MNE object gives the recording's numbers.
    np.testing.assert_allclose(qneuro.analyze(raw).psd, qneuro.analyze(rec.data, rec.fs).psd,
                               rtol=1e-12)
    field = qneuro.field.simulate(preset="test", steps=256, progress=False)
    fraw = field.to_mne()
    assert fraw.ch_names == field.electrodes and fraw.info["sfreq"] == field.fs
    np.testing.assert_allclose(fraw.get_data() * 1e6, field.eeg, rtol=1e-15)


def test_epochs_erd_from_python_with_an_events_file(tmp_path):
    """The epochs.* keys through qneuro.analyze (keyword overrides, an events TSV, an array):
    B trials carry a sine of twice the amplitude of A trials, so ERD(B vs A) is +300 %."""
    fs = 100.0
    t = np.arange(4200) / fs
    trial = ((t - 1.0) // 2.0).astype(int)
    amp = np.where((t >= 1.0) & (t < 41.0) & (trial % 2 == 1), 2.0, 1.0)
    data = (amp * np.sin(2 * np.pi * 10.0 * t))[None, :]
    events = tmp_path / "events.tsv"
    events.write_text("onset_s\tcondition\n" +
                      "".join(f"{1.0 + 2.0 * k}\t{'AB'[k % 2]}\n" for k in range(20)))
    r = qneuro.analyze(data, fs=fs, ch_names=["Cz"], connectivity__enabled=False,
                       epochs__events=["B"], epochs__baseline="A", epochs__events_file=str(events),
                       epochs__tmin_s=0.0, epochs__tmax_s=2.0)
    cond = r.summary["epochs"]["conditions"]
    assert cond["B"]["n_epochs"] == 10 and cond["A"]["n_epochs"] == 10
    assert cond["B"]["erd_percent"]["mean"]["Cz"]["alpha"] == pytest.approx(300.0, abs=1e-6)
    with pytest.raises(qneuro.InputError, match="no event 'C'"):
        qneuro.analyze(data, fs=fs, ch_names=["Cz"], connectivity__enabled=False, epochs__events=["C"],
                       epochs__events_file=str(events))
