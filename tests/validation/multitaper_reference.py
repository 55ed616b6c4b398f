#!/usr/bin/env python3
"""Independent references for qneuro's multitaper estimator (include/qneuro/eeg/multitaper.hpp):
  dpss  TAPERS.npy RATIOS.npy M NW K SYM   against scipy.signal.windows.dpss(..., norm=2,
        return_ratios=True)
  psd   EDF ANALYSIS_H5 [BANDWIDTH_HZ]       against mne.time_frequency.psd_array_multitaper
        (adaptive=False, low_bias=True, normalization='full') of the channels in ANALYSIS_H5
Exit 1 on a difference beyond 1e-6 relative (tapers: 1e-9 absolute; PSD bins: 1e-6 of the
channel's peak, since bins far below the peak carry rounding of the larger ones)."""
import sys

import numpy as np


def main():
    mode = sys.argv[1]
    if mode == "dpss":
        from scipy.signal.windows import dpss
        tapers, ratios = np.load(sys.argv[2]), np.load(sys.argv[3]).ravel()
        M, NW, K, sym = int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), sys.argv[7] == "1"
        ref, ref_ratios = dpss(M, NW, K, sym=sym, norm=2, return_ratios=True)
        err_t = np.max(np.abs(tapers - ref))
        err_r = np.max(np.abs(ratios - ref_ratios) / np.abs(ref_ratios))
        print(f"dpss M={M} NW={NW} K={K} sym={sym}: max taper difference {err_t:.2e}, "
              f"ratio {err_r:.2e}")
        return 0 if err_t < 1e-9 and err_r < 1e-9 else 1
    import h5py
    import mne
    from mne.time_frequency import psd_array_multitaper
    raw = mne.io.read_raw_edf(sys.argv[2], preload=True, verbose=False)
    bandwidth = float(sys.argv[4]) if len(sys.argv) > 4 and float(sys.argv[4]) > 0 else None
    with h5py.File(sys.argv[3]) as h:
        names = [s.decode() if isinstance(s, bytes) else s for s in h["channels"][()]]
        got, freqs = h["psd"][()], h["freqs"][()]
    data = raw.get_data(picks=[raw.ch_names.index(n) for n in names]) * 1e6
    psd, f = psd_array_multitaper(data, raw.info["sfreq"], bandwidth=bandwidth, adaptive=False,
                                  low_bias=True, normalization="full", verbose=False)
    err_f = np.max(np.abs(freqs - f))
    scale = psd.max(axis=1, keepdims=True)
    err = np.max(np.abs(got - psd) / scale)
    print(f"multitaper PSD of {len(names)} channels x {len(f)} bins: max |difference| / peak "
          f"{err:.2e}, frequencies {err_f:.1e}")
    return 0 if err < 1e-6 and err_f < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
