// Configuration of `qneuro analyze`: the schema (every key, default, unit, range), the presets,
// and the translation to AnalysisParams with the checks that need the recording (fs, length).
// The key table is user-facing API: docs/analyze.md lists it (qneuro analyze --describe-config).
#pragma once

#include <optional>

#include "qneuro/core/config.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::eeg {

/// Schema of `qneuro analyze`, with presets "default" and "sleep".
const config::Schema& analysis_schema();

/// Channel selection and input units from the config (applied while loading).
io::LoadOptions load_options_from_config(const config::Config& cfg);

/// Analysis parameters for a recording at `fs_hz` with `n_samples` samples. Throws ConfigError
/// naming the key when a value does not fit the data (a band outside [0, fs/2), nperseg longer
/// than the recording, edges that leave nothing for connectivity, ...).
AnalysisParams params_from_config(const config::Config& cfg, double fs_hz, std::size_t n_samples);

/// The epochs.* keys; nullopt when epochs.events is empty (no epoching). ConfigError for keys
/// that need epochs.events, or a one-value baseline window.
std::optional<EpochParams> epoch_params_from_config(const config::Config& cfg);
/// spectrogram.* (nullopt unless spectrogram.enabled) and pac.* (nullopt unless pac.enabled).
std::optional<SpectrogramParams> spectrogram_params_from_config(const config::Config& cfg);
std::optional<PacParams> pac_params_from_config(const config::Config& cfg);

}  // namespace qneuro::eeg
