// The hand-over from `qneuro` to `qneuro-torch` for the commands that need LibTorch.
//
// `qneuro` itself never links LibTorch (loading it and the ~290 libraries Debian's build pulls in
// costs about a second per process). Its `flux`, `snn train` and `snn bench-train` entries take
// the rest of the command line unparsed and replace the process (execv) with qneuro-torch, given
// the same arguments: the user types the same commands and sees the same help, output and exit
// codes. qneuro-torch is looked up as
//   $QNEURO_TORCH_HELPER                         (if set; empty means "not available")
//   <dir of qneuro>/qneuro-torch                 (the build tree: build/bin/)
//   <dir of qneuro>/../libexec/qneuro/qneuro-torch   (an installed tree)
// and its absence (a build without LibTorch) is a runtime error that says how to get it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "cli_common.hpp"

namespace qneuro::cli {

/// Where qneuro-torch is, if anywhere (see the file comment).
std::optional<std::filesystem::path> find_torch_helper();

/// Replaces this process with qneuro-torch (same arguments) if it exists; returns otherwise.
void hand_over_if_available(const GlobalOptions& global);

/// Registers `name` under `parent` as a hand-over entry described by `description`.
Command register_torch_handover(CLI::App& parent, const std::string& name,
                                const std::string& description, const GlobalOptions& global);

}  // namespace qneuro::cli
