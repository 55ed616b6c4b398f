#include "qneuro/core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace qneuro::log {
namespace {
Verbosity g_verbosity = Verbosity::Normal;
}

void init(Verbosity verbosity) {
  g_verbosity = verbosity;
  auto logger = spdlog::get("qneuro");
  if (!logger) {
    logger = spdlog::stderr_color_mt("qneuro");
    logger->set_pattern("[%H:%M:%S] %^%l%$: %v");
    spdlog::set_default_logger(logger);
  }
  switch (verbosity) {
    case Verbosity::Quiet:
      logger->set_level(spdlog::level::warn);
      break;
    case Verbosity::Normal:
      logger->set_level(spdlog::level::info);
      break;
    case Verbosity::Verbose:
      logger->set_level(spdlog::level::debug);
      break;
  }
}

Verbosity verbosity() {
  return g_verbosity;
}

}  // namespace qneuro::log
