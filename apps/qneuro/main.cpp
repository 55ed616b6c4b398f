// qneuro: one command-line tool for every engine. This file only wires subcommands together and
// maps failures to exit codes (0 ok, 1 runtime failure, 2 usage or input error); each
// subcommand lives in its own cmd_<name>.cpp.
#include <iostream>
#include <new>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/version_info.hpp"

namespace {

std::string join_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) s += ' ';
    s += argv[i];
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace qneuro;
  cli::GlobalOptions global;
  global.command_line = join_args(argc, argv);

  CLI::App app{
      "qneuro: quantum-inspired neural modelling toolkit.\n"
      "Engines: neural field (field), EEG analysis (analyze), QLIF spiking networks (snn), "
      "Quantum Flux language model (flux).\n"
      "Exit codes: 0 success, 1 runtime failure, 2 usage or input error.",
      "qneuro"};
  app.set_version_flag("--version", std::string("qneuro ") + build_info::kVersion + " (" +
                                        build_info::kGitHash + ", " + build_info::kBuildType + ")");
  app.add_option("--threads,-j", global.threads, "OpenMP threads (0 = all available)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--quiet,-q", global.quiet, "only warnings and errors; no progress bar or table");
  app.add_flag("--verbose,-v", global.verbose, "debug logging");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand name

  std::vector<cli::Command> commands;
  commands.push_back(cli::register_analyze(app, global));
  commands.push_back(cli::register_synth(app, global));
  commands.push_back(cli::register_field(app, global));
  commands.push_back(cli::register_snn(app, global));
  commands.push_back(cli::register_flux(app, global));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  log::init(global.quiet     ? log::Verbosity::Quiet
            : global.verbose ? log::Verbosity::Verbose
                             : log::Verbosity::Normal);
  parallel::set_threads(global.threads);

  try {
    for (const auto& cmd : commands) {
      if (cmd.app->parsed()) return cmd.run();
    }
    throw UsageError("no subcommand given (see qneuro --help)");
  } catch (const Error& e) {
    std::cerr << "qneuro: error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::cerr << "qneuro: error: out of memory (try fewer channels, a shorter recording or a "
                 "smaller grid)\n";
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::cerr << "qneuro: internal error: " << e.what() << "\n";
    return kExitRuntime;
  }
}
