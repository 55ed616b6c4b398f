#include "torch_handover.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "qneuro/core/error.hpp"

namespace qneuro::cli {

namespace fs = std::filesystem;

std::optional<fs::path> find_torch_helper() {
  if (const char* env = std::getenv("QNEURO_TORCH_HELPER")) {
    if (*env == '\0') return std::nullopt;
    return fs::path(env);
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  const fs::path dir = self.parent_path();
  for (const fs::path& candidate :
       {dir / "qneuro-torch", dir.parent_path() / "libexec" / "qneuro" / "qneuro-torch"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

void hand_over_if_available(const GlobalOptions& global) {
  const auto helper = find_torch_helper();
  if (!helper) return;
  std::cout.flush();
  std::cerr.flush();
  ::execv(helper->c_str(), global.argv);
  throw RuntimeError("cannot run " + helper->string() + ": " + std::strerror(errno));
}

Command register_torch_handover(CLI::App& parent, const std::string& name,
                                const std::string& description, const GlobalOptions& global) {
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->set_help_flag();     // --help belongs to the real command in qneuro-torch
  sub->fallthrough(false);  // not even the parent's options (snn's --preset is train's too)
  sub->prefix_command();    // everything after the name is passed through unparsed
  sub->allow_extras();
  return {sub, [&global, name]() -> int {
            hand_over_if_available(global);  // returns only without qneuro-torch
            throw RuntimeError(
                "'" + name +
                "' needs LibTorch, and this qneuro has no qneuro-torch next to it "
                "(built with QNEURO_WITH_TORCH=OFF?): install LibTorch with "
                "scripts/install-deps.sh (Debian package libtorch-dev) and rebuild, or point "
                "QNEURO_TORCH_HELPER at a qneuro-torch executable");
          }};
}

}  // namespace qneuro::cli
