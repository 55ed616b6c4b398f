// qneuro serve, registered by both executables: qneuro (no LibTorch: hands over to qneuro-torch
// when it exists, so the flux viewer can generate text) and qneuro-torch (with generation).
#pragma once

#include <functional>

#include "cli_common.hpp"
#include "qneuro/web/server.hpp"

namespace qneuro::cli {

/// `before_run` runs before serving (qneuro: the hand-over to qneuro-torch, if available).
Command register_serve(CLI::App& root, const GlobalOptions& global, web::FluxGenerate flux_generate,
                       const config::Schema* flux_schema,
                       const std::function<void()>& before_run = {});

}  // namespace qneuro::cli
