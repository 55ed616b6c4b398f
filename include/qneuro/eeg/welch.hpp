// Welch power spectral density, defined to match scipy.signal.welch exactly.
//
//   segments  x_m[j] = x[m*step + j], j = 0..L-1, step = L - noverlap,
//             m = 0..M-1 with M = floor((n - noverlap) / step)   (no padding, no boundary ext.)
//   detrend   "constant": subtract each segment's mean (before windowing); "none": keep it
//   window    periodic ("fftbins") Hann w[j] = 0.5 - 0.5 cos(2 pi j / L), Hamming
//             0.54 - 0.46 cos(2 pi j / L), or boxcar 1
//   spectrum  X_m[k] = sum_j w[j] x_m[j] e^{-2 pi i jk/L}, k = 0..floor(L/2), f_k = k fs / L
//   density   P[k] = c_k / (fs sum_j w[j]^2) * mean_m |X_m[k]|^2,
//             c_k = 2 except c_0 = 1 and, for even L, c_{L/2} = 1 (one-sided)
// Units: input in uV, fs in Hz -> P in uV^2/Hz; so sum_k P[k] df = signal variance (Parseval,
// up to the window's leakage), with df = fs / L.
// Channels are processed in parallel (OpenMP); each channel's result is independent of threads.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "qneuro/core/array.hpp"
#include "qneuro/core/enum_names.hpp"
#include "qneuro/core/fft.hpp"

namespace qneuro::eeg {
enum class Window { Hann, Hamming, Boxcar };
enum class Detrend { None, Constant };
}  // namespace qneuro::eeg

namespace qneuro {
template <>
inline constexpr std::array enum_names<eeg::Window>{EnumName{eeg::Window::Hann, "hann"},
                                                    EnumName{eeg::Window::Hamming, "hamming"},
                                                    EnumName{eeg::Window::Boxcar, "boxcar"}};
template <>
inline constexpr std::array enum_names<eeg::Detrend>{EnumName{eeg::Detrend::Constant, "constant"},
                                                     EnumName{eeg::Detrend::None, "none"}};
}  // namespace qneuro

namespace qneuro::eeg {

using qneuro::to_string;  // to_string(Window), to_string(Detrend)

/// The periodic window of length n.
std::vector<double> make_window(Window w, std::size_t n);

struct WelchParams {
  std::size_t nperseg = 0;   ///< segment length L in samples (> 0, <= n)
  std::size_t noverlap = 0;  ///< overlap in samples (< nperseg)
  Window window = Window::Hann;
  Detrend detrend = Detrend::Constant;
};

struct WelchResult {
  std::vector<double> freqs;  ///< f_k = k fs / L, k = 0..L/2 (Hz)
  Array2<double> psd;         ///< [channel x freq], uV^2/Hz
  std::size_t n_segments = 0;
  [[nodiscard]] double df() const { return freqs.size() > 1 ? freqs[1] - freqs[0] : 0.0; }
};

/// One Welch setup reused for many signals: the FFT plan, the window and the scale are made once
/// (FFTW's planner takes a process-wide lock, so planning per call serialises threads).
/// estimate() runs in the calling thread only, with a per-thread Workspace: callers parallelise
/// over channels, windows or epochs. welch() below is built on it, so both give the same bits.
class WelchEstimator {
 public:
  /// Throws InputError for nperseg < 2, noverlap >= nperseg or a non-positive fs.
  WelchEstimator(double fs_hz, const WelchParams& params);
  struct Workspace {
    fft::Buffer<double> segment;
    fft::Buffer<std::complex<double>> spectrum;
    std::vector<double> acc, power;
    explicit Workspace(const WelchEstimator& e);
  };
  /// PSD of x[0, n) (n >= nperseg; the segments that fit, as scipy) into psd[0, freqs().size()).
  void estimate(const double* x, std::size_t n, double* psd, Workspace& ws) const;
  /// The two halves of estimate(), for callers that share segments between estimates (the
  /// spectrogram): |X_m[k]|^2 of the segment starting at `segment` (detrended, windowed) into
  /// power[0, freqs().size()), and the density of the sum `acc` of `segments` such powers.
  void segment_power(const double* segment, double* power, Workspace& ws) const;
  void density(const double* acc, std::size_t segments, double* psd) const;
  [[nodiscard]] const std::vector<double>& freqs() const { return freqs_; }
  [[nodiscard]] std::size_t segments(std::size_t n) const;
  [[nodiscard]] const WelchParams& params() const { return params_; }

 private:
  double fs_;
  WelchParams params_;
  std::vector<double> window_;
  double win_sq_ = 0.0;
  std::vector<double> freqs_;
  fft::RealFft fft_;
};

/// Welch PSD of each channel (all of the same length n >= nperseg). Throws InputError on
/// invalid parameters (message names nperseg/noverlap and the allowed range).
WelchResult welch(const std::vector<std::vector<double>>& channels, double fs_hz,
                  const WelchParams& params);

}  // namespace qneuro::eeg
