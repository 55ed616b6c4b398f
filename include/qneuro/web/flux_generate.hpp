// Text generation for the dashboard's flux viewer (the LibTorch part of the server, in the
// library qneuro_web_flux so qneuro_web itself never links LibTorch).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace qneuro::web {

/// POST /api/flux/generate for the run (or checkpoint) directory `dir`: {prompt, tokens (1 to
/// 2000), temperature, top_k, seed} -> {text, seconds}. Checkpoints are loaded once and cached.
nlohmann::json flux_generate(const std::filesystem::path& dir, const nlohmann::json& request);

}  // namespace qneuro::web
