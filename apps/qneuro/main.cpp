// qneuro: one command-line tool for every engine. This file only lists the subcommands; each
// lives in its own cmd_<name>.cpp, and the ones that need LibTorch are handed over to
// qneuro-torch (torch_handover.hpp) so that the others start without loading it.
#include "cli_common.hpp"
#include "torch_handover.hpp"
#ifdef QNEURO_HAS_WEB
#include "cmd_serve.hpp"
#endif

int main(int argc, char** argv) {
  using namespace qneuro::cli;
  return run_main(argc, argv, [](CLI::App& app, GlobalOptions& global) {
    std::vector<Command> commands;
    commands.push_back(register_analyze(app, global));
    commands.push_back(register_synth(app, global));
    commands.push_back(register_field(app, global));
    commands.push_back(register_snn(app, global));
    commands.push_back(register_torch_handover(app, "flux", kFluxDescription, global));
#ifdef QNEURO_HAS_WEB
    // serve runs in qneuro-torch when it exists (the flux viewer generates text there).
    commands.push_back(
        register_serve(app, global, {}, nullptr, [&global] { hand_over_if_available(global); }));
    commands.push_back(register_report(app, global));
#endif
    return commands;
  });
}
