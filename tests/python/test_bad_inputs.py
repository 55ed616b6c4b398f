"""Bad inputs raise the documented exception with the CLI's message; nothing crashes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import qneuro
from conftest import run_cli


def cli_error(*args: str) -> str:
    r = run_cli(*args, check=False)
    assert r.returncode == 2, r.stderr
    line = [l for l in r.stderr.splitlines() if l.startswith("qneuro: error: ")][0]
    return line[len("qneuro: error: "):]


def test_exception_hierarchy():
    assert issubclass(qneuro.InputError, ValueError)
    assert issubclass(qneuro.ConfigError, qneuro.InputError)
    assert issubclass(qneuro.RunError, RuntimeError)
    assert issubclass(qneuro.NumericalError, qneuro.RunError)


def test_unknown_key_same_message_as_cli(rec_edf):
    expected = cli_error("analyze", str(rec_edf), "--set", "welch.foo=1")
    with pytest.raises(qneuro.ConfigError) as e:
        qneuro.analyze(rec_edf, welch__foo=1)
    assert str(e.value) == expected


def test_out_of_range_value_same_message_as_cli():
    expected = cli_error("field", "--preset", "test", "--set", "time.steps=-5")
    with pytest.raises(qneuro.ConfigError) as e:
        qneuro.field.simulate(preset="test", steps=-5, progress=False)
    assert str(e.value) == expected
    with pytest.raises(qneuro.ConfigError, match="unknown key 'sim.nope'"):
        qneuro.snn.simulate(sim__nope=3)
    with pytest.raises(qneuro.ConfigError, match="ambiguous"):
        qneuro.snn.simulate(amplitude=0.5)  # input.amplitude or neuromod.amplitude?


def test_bad_file_messages_name_the_file(tmp_path, rec_edf):
    bad = tmp_path / "bad.edf"
    bad.write_text("garbage")
    expected = cli_error("analyze", str(bad))
    with pytest.raises(qneuro.InputError) as e:
        qneuro.read_edf(bad)
    assert str(bad) in str(e.value)
    with pytest.raises(qneuro.InputError) as e:
        qneuro.analyze(bad)
    assert str(e.value) == expected
    truncated = tmp_path / "truncated.edf"
    truncated.write_bytes(rec_edf.read_bytes()[:5000])
    with pytest.raises(qneuro.InputError, match="truncated.edf"):
        qneuro.read_edf(truncated)
    with pytest.raises(FileNotFoundError):
        qneuro.read_edf(tmp_path / "missing.edf")
    with pytest.raises(FileNotFoundError):
        qneuro.analyze(tmp_path / "missing.edf")
    with pytest.raises(FileNotFoundError):
        qneuro.field.simulate(config=tmp_path / "missing.toml")
    with pytest.raises(FileNotFoundError):
        qneuro.field.resume(tmp_path / "no-run")
    with pytest.raises(qneuro.InputError, match="checkpoint"):
        qneuro.field.resume(tmp_path)


def test_wrong_dtype_shape_and_nan_in_analyze():
    fs = 128.0
    x = np.random.default_rng(0).standard_normal((3, 1024))
    with pytest.raises(qneuro.InputError, match="complex128"):
        qneuro.analyze(x.astype(np.complex128), fs)
    with pytest.raises(qneuro.InputError, match="dtype <U"):
        qneuro.analyze(np.array([["a", "b"]]), fs)
    with pytest.raises(qneuro.InputError, match=r"\(channels, samples\)"):
        qneuro.analyze(x.reshape(3, 32, 32), fs)
    with pytest.raises(qneuro.InputError, match="fs"):
        qneuro.analyze(x)
    with pytest.raises(qneuro.InputError, match="fs must be a positive"):
        qneuro.analyze(x, -1.0)
    with pytest.raises(qneuro.InputError, match="ch_names has 2 names for 3 channels"):
        qneuro.analyze(x, fs, ["a", "b"])
    y = x.copy()
    y[1, 700] = np.nan
    with pytest.raises(qneuro.InputError, match=r"data\[1, 700\] \(channel ch1, t = 5.46875 s\) is NaN"):
        qneuro.analyze(y, fs)
    with pytest.raises(qneuro.InputError, match="does not fit the recording"):
        qneuro.analyze(x[:, :20], fs)


def test_other_dtypes_and_layouts_give_the_same_numbers():
    fs = 128.0
    x = np.random.default_rng(0).standard_normal((4, 2048))
    ref = qneuro.analyze(x, fs)
    f32 = x.astype(np.float32)
    assert np.allclose(qneuro.analyze(f32, fs).psd, qneuro.analyze(f32.astype(np.float64), fs).psd,
                       rtol=0, atol=0)
    # Non-contiguous (a transposed view, a strided slice): converted, same result.
    xt = np.asfortranarray(x)
    assert not xt.flags.c_contiguous
    np.testing.assert_array_equal(qneuro.analyze(xt, fs).psd, ref.psd)
    wide = np.zeros((4, 4096))
    wide[:, ::2] = x
    np.testing.assert_array_equal(qneuro.analyze(wide[:, ::2], fs).psd, ref.psd)
    ints = (100 * x).astype(np.int32)
    np.testing.assert_array_equal(qneuro.analyze(ints, fs).psd,
                                  qneuro.analyze(ints.astype(np.float64), fs).psd)


def test_snn_inputs_checked():
    with pytest.raises(qneuro.InputError, match=r"\(T, B, N\) or \(T, N\)"):
        qneuro.snn.simulate(np.zeros((2, 2, 2, 2), np.float32))
    bad = np.ones((10, 1, 4), np.float32)
    bad[3, 0, 2] = np.inf
    with pytest.raises(qneuro.InputError, match=r"inputs\[3, 0, 2\] is infinite"):
        qneuro.snn.simulate(bad)
    with pytest.raises(qneuro.InputError, match="complex"):
        qneuro.snn.simulate(np.ones((10, 4), np.complex64))
    with pytest.raises(qneuro.ConfigError, match="sim.neurons"):
        qneuro.snn.simulate(np.ones((10, 4), np.float32), sim__neurons=7)
    two_d = qneuro.snn.simulate(np.full((30, 4), 1.5), mode="deterministic")
    three_d = qneuro.snn.simulate(np.full((30, 1, 4), 1.5, np.float32), mode="deterministic")
    np.testing.assert_array_equal(two_d.spikes, three_d.spikes)
    with pytest.raises(qneuro.InputError, match="map"):
        qneuro.snn.calibrate(0.02, 0.1, map="cubic")
    with pytest.raises(TypeError):
        qneuro.snn.simulate(config=42)
    with pytest.raises(qneuro.ConfigError, match="cannot be a config value"):
        qneuro.snn.simulate(sim__neurons=object())


def test_import_qneuro_does_not_import_torch():
    code = ("import sys, qneuro; from qneuro import *; assert 'torch' not in sys.modules; "
            "qneuro.analyze; qneuro.field; qneuro.snn; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    if importlib.util.find_spec("qneuro._torch") is not None:  # built with LibTorch
        subprocess.run([sys.executable, "-c",
                        "import sys, qneuro; qneuro.flux; assert 'torch' in sys.modules"],
                       check=True)
