#!/usr/bin/env python3
"""Independent reference for the time-resolved parts of `qneuro analyze` (docs/analyze.md):
the spectrogram (scipy.signal.welch per sliding window), PLI/wPLI in sliding windows and
phase-amplitude coupling (MI of Tort et al. 2010, MVL of Canolty et al. 2006, time-shift
surrogates), written from the documented definitions with NumPy/SciPy. MNE reads the EDF.

usage: time_resolved_reference.py EDF ANALYSIS_H5 [--rtol 1e-6]
The parameters (windows, bands, bins, surrogate shifts) are read from ANALYSIS_H5's attributes
and datasets; every value of /spectrogram, /connectivity_over_time and /pac present there is
recomputed and compared. Exit 1 on a mismatch."""
import argparse
import sys

import h5py
import mne
import numpy as np
from scipy.signal import welch


def llround(x):
    return int(np.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def analytic(x, fs, lo, hi):
    """The FFT-mask analytic signal: 2 X[k] for lo <= k fs / n < hi (k <= n / 2), else 0."""
    n = x.shape[-1]
    X = np.fft.fft(x, axis=-1)
    k = np.arange(n)
    f = k * fs / n
    mask = (k <= n // 2) & (f >= lo) & (f < hi)
    return np.fft.ifft(np.where(mask, 2 * X, 0), axis=-1)


def band_power(f, p, lo, hi):
    return p[..., (f >= lo) & (f < hi)].sum(axis=-1) * (f[1] - f[0])


def spectrogram_reference(data, fs, W, S, nper, nover, edges):
    """Welch per sliding window: psd [C, W, F] and band power [C, W, B]."""
    n_win = (data.shape[1] - W) // S + 1
    psd, bp = [], []
    for w in range(n_win):
        f, p = welch(data[:, w * S:w * S + W], fs=fs, window="hann", nperseg=nper,
                     noverlap=nover, detrend="constant")
        psd.append(p)
        bp.append(np.stack([band_power(f, p, lo, hi) for lo, hi in edges], axis=-1))
    return np.transpose(np.array(psd), (1, 0, 2)), np.transpose(np.array(bp), (1, 0, 2))


def pac_reference(x, fs, pb, ab, K, e, shifts):
    """MI, MVL and their surrogate statistics [C, P, A] for channels x [C, n]."""
    n = x.shape[1]
    shape = (x.shape[0], len(pb), len(ab))
    out = {k: np.zeros(shape) for k in ("mi", "mvl", "mi_surrogate_mean", "mi_surrogate_sd",
                                         "mi_z", "mi_p", "mvl_surrogate_mean",
                                         "mvl_surrogate_sd", "mvl_z", "mvl_p")}
    for c in range(x.shape[0]):
        amps = [np.abs(analytic(x[c], fs, lo, hi)[e:n - e]) for lo, hi in ab]
        for p_i, (lo, hi) in enumerate(pb):
            z = analytic(x[c], fs, lo, hi)[e:n - e]
            phi = np.arctan2(z.imag, z.real)
            bins = np.minimum(np.floor((phi + np.pi) * K / (2 * np.pi)).astype(int), K - 1)
            counts = np.bincount(bins, minlength=K).astype(float)
            unit = np.where(np.abs(z) > 0, z / np.where(np.abs(z) > 0, np.abs(z), 1), 1)

            def measures(amp):
                means = np.bincount(bins, weights=amp, minlength=K) / np.where(counts > 0, counts, 1)
                P = means / means.sum()
                H = -np.sum(P[P > 0] * np.log(P[P > 0]))
                return (np.log(K) - H) / np.log(K), np.abs(np.mean(amp * unit))

            for a_i, amp in enumerate(amps):
                mi, mvl = measures(amp)
                sur = np.array([measures(np.roll(amp, -s)) for s in shifts])
                for key, value, col in (("mi", mi, 0), ("mvl", mvl, 1)):
                    v = sur[:, col]
                    mean, sd = v.mean(), v.std(ddof=1)
                    out[key][c, p_i, a_i] = value
                    out[key + "_surrogate_mean"][c, p_i, a_i] = mean
                    out[key + "_surrogate_sd"][c, p_i, a_i] = sd
                    out[key + "_z"][c, p_i, a_i] = (value - mean) / sd
                    out[key + "_p"][c, p_i, a_i] = (1 + np.sum(v >= value)) / (len(v) + 1)
    return out


class Checker:
    def __init__(self, rtol):
        self.rtol, self.bad, self.n = rtol, 0, 0

    def close(self, name, got, ref, atol=1e-12):
        got, ref = np.asarray(got, float), np.asarray(ref, float)
        self.n += ref.size
        if got.shape != ref.shape:
            print(f"MISMATCH {name}: shape {got.shape} vs {ref.shape}")
            self.bad += 1
            return
        err = np.abs(got - ref) - (self.rtol * np.abs(ref) + atol)
        if np.any(err > 0):
            i = np.unravel_index(np.argmax(err), err.shape)
            print(f"MISMATCH {name} at {i}: {got[i]!r} vs {ref[i]!r}")
            self.bad += 1
        else:
            print(f"{name}: {ref.size} values equal")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("edf")
    ap.add_argument("h5")
    ap.add_argument("--rtol", type=float, default=1e-6)
    a = ap.parse_args()
    chk = Checker(a.rtol)
    raw = mne.io.read_raw_edf(a.edf, preload=True, verbose=False)
    fs = raw.info["sfreq"]
    with h5py.File(a.h5) as h:
        names = [s.decode() if isinstance(s, bytes) else s for s in h["channels"][()]]
        data = raw.get_data(picks=[raw.ch_names.index(n) for n in names]) * 1e6
        band_names = [s.decode() if isinstance(s, bytes) else s for s in h["bands"][()]]
        edges = h["band_edges_hz"][()]
        r_lo, r_hi = h.attrs["range_hz"]
        overlap_frac = h.attrs["noverlap"] / h.attrs["nperseg"]
        if "spectrogram" in h:
            g = h["spectrogram"]
            W = llround(g.attrs["window_s"] * fs)
            S = llround(g.attrs["step_s"] * fs)
            nper = int(g.attrs["nperseg"])
            nover = int(g.attrs["noverlap"])
            n_win = (data.shape[1] - W) // S + 1
            psd, bp = spectrogram_reference(data, fs, W, S, nper, nover, edges)
            chk.close("spectrogram/times_s", g["times_s"][()], (np.arange(n_win) * S + W / 2) / fs)
            chk.close("spectrogram/psd", g["psd"][()], psd, atol=1e-9 * psd.max())
            chk.close("spectrogram/band_power", g["band_power"][()], bp)
            _ = overlap_frac
        if "connectivity_over_time" in h:
            g = h["connectivity_over_time"]
            e = llround(h.attrs["edge_s"] * fs)
            W, S = int(g.attrs["window_samples"]), int(g.attrs["step_samples"])
            n = data.shape[1]
            N = n - 2 * e
            n_win = (N - W) // S + 1
            for key in ("pli", "wpli"):
                ref = np.zeros((len(edges), n_win, len(names), len(names)))
                for b, (lo, hi) in enumerate(edges):
                    z = analytic(data, fs, lo, hi)[:, e:n - e]
                    for w in range(n_win):
                        zw = z[:, w * S:w * S + W]
                        im = np.imag(zw[:, None, :] * np.conj(zw[None, :, :]))
                        if key == "pli":
                            m = np.abs(np.sign(im).mean(axis=-1))
                        else:
                            den = np.abs(im).sum(axis=-1)
                            m = np.where(den > 0, np.abs(im.sum(axis=-1)) / np.where(den > 0, den, 1), 0)
                        np.fill_diagonal(m, 0)
                        ref[b, w] = m
                # stored as float32: compare at float precision
                Checker.close(chk, f"connectivity_over_time/{key}", g[key][()],
                              ref.astype(np.float32).astype(float), atol=1e-7)
        if "pac" in h:
            g = h["pac"]
            K = int(g.attrs["bins"])
            e = int(g.attrs["edge_samples"])
            shifts = g["shifts"][()]
            pac_names = [s.decode() if isinstance(s, bytes) else s for s in g.attrs["channels"]]
            x = raw.get_data(picks=[raw.ch_names.index(nm) for nm in pac_names]) * 1e6
            n = x.shape[1]
            N = n - 2 * e
            pb, ab = g["phase_bands_hz"][()], g["amp_bands_hz"][()]
            out = pac_reference(x, fs, pb, ab, K, e, shifts)
            for key, ref in out.items():
                chk.close(f"pac/{key}", g[key][()], ref, atol=1e-9)
    print(f"{chk.n} values compared: {'all equal' if chk.bad == 0 else str(chk.bad) + ' mismatches'}"
          f" (rtol {a.rtol})")
    _ = band_names
    return 1 if chk.bad else 0


if __name__ == "__main__":
    sys.exit(main())
