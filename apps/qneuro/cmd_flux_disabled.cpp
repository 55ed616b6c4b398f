// `flux` in a build without LibTorch (QNEURO_WITH_TORCH=OFF): the command exists and says how to
// get it.
#include "cli_common.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro::cli {

Command register_flux(CLI::App& root, const GlobalOptions&) {
  CLI::App* f = root.add_subcommand("flux", "The Quantum Flux language model (needs LibTorch)");
  f->allow_extras();
  return {f, []() -> int {
            throw RuntimeError(
                "this qneuro was built without LibTorch (QNEURO_WITH_TORCH=OFF): install it with "
                "scripts/install-deps.sh (Debian package libtorch-dev) and rebuild");
          }};
}

}  // namespace qneuro::cli
