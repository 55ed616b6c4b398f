// Logging: spdlog to stderr. Results (tables, JSON) go to stdout; diagnostics go here.
// Levels: --quiet -> warnings and errors only; default -> info; --verbose -> debug.
#pragma once

#include <spdlog/spdlog.h>

namespace qneuro::log {

enum class Verbosity { Quiet, Normal, Verbose };

/// Configures the default logger ("qneuro", stderr, colour on a TTY). Safe to call repeatedly.
void init(Verbosity verbosity);
[[nodiscard]] Verbosity verbosity();

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;

}  // namespace qneuro::log
