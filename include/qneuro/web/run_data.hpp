// What the dashboard and the report draw, as JSON (schema qneuro.web.run/1, documented in
// docs/dev/dashboard-api.md): read from a run directory of any engine (field, snn, analyze,
// flux train), or built from results in memory. Long signals are reduced to min/max envelopes
// (one pair per display bucket) so a 64-channel, 10-minute recording stays a few hundred kB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::web {

/// Min and max of each of at most `buckets` equal time buckets over [t0_s, t1_s) (clamped to the
/// recording) for the given channels (all when empty): {t0, t1, fs_hz, step_s, decimated,
/// channels, min, max}. Without decimation (no more samples than buckets) min = max = samples.
nlohmann::json envelope_json(const io::Recording& recording, double t0_s, double t1_s,
                             std::size_t buckets, const std::vector<std::size_t>& channels = {});

/// The "analysis" object: spectra, band tables, aperiodic fits and PLI/wPLI matrices.
nlohmann::json analysis_json(const eeg::AnalysisResult& result);

/// The files of a run directory that run_data() reads.
inline constexpr const char* kRunDataFiles[] = {
    "summary.json", "run.json", "config.resolved.toml", "eeg.h5", "analysis.h5",
    "spikes.h5",    "viz.h5"};

/// True if `dir` holds the files of a qneuro run (summary.json or run.json).
bool is_run_dir(const std::filesystem::path& dir);

/// Everything drawable in run directory `dir` (InputError if it is not one); `display_dir` is
/// how the directory is named in the JSON (e.g. relative to the server's root).
nlohmann::json run_data(const std::filesystem::path& dir, const std::string& display_dir);

/// Rounds to 6 significant digits, so the JSON of float32 data stays short (NaN kept).
double display_value(double x);
/// A JSON array of display_value()s.
nlohmann::json display_values(std::span<const double> values);
nlohmann::json display_values(std::span<const float> values);

/// Spikes of batch row 0 of a [T, B, N] uint8 array sampled at fs_hz, for plotting:
/// {"raster": {t, n, neurons, truncated} (the first 200 neurons, at most 100,000 spikes; t in
/// steps), "rate_hz": [T] (population rate of all N neurons)}.
nlohmann::json spike_plot_json(std::span<const uint8_t> spikes, std::size_t T, std::size_t B,
                               std::size_t N, double fs_hz);

/// Side length above which density snapshots are reduced for display.
inline constexpr std::size_t kSnapshotSide = 128;
/// One density snapshot ([slice][ny][nx], |psi|^2) reduced by nearest neighbour to at most
/// kSnapshotSide cells per side: {ny, nx, slices, data} with data flat [slice][y][x].
nlohmann::json snapshot_json(std::span<const float> frame, std::size_t slices, std::size_t ny,
                             std::size_t nx);

}  // namespace qneuro::web
