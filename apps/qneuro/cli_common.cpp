#include "cli_common.hpp"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <new>

#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/version.hpp"

namespace qneuro::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int /*sig*/) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process
}

std::string join_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) s += ' ';
    s += argv[i];
  }
  return s;
}

}  // namespace

void ConfigOptions::add_to(CLI::App& sub, const config::Schema& schema) {
  std::string presets;
  for (const auto& name : schema.preset_names()) {
    presets += "\n  " + name + ": " + *schema.preset_description(name);
  }
  sub.add_option("--config", file, "TOML config file (keys: --describe-config)");
  sub.add_option("--preset", preset, "named preset applied before --config and --set:" + presets);
  sub.add_option("--set", sets, "override one key, e.g. --set welch.nperseg=512 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub.add_flag("--describe-config", describe,
               "print every config key with type, default, unit and range (Markdown), then exit");
  sub.add_flag("--print-config", print,
               "print the resolved config (defaults < preset < --config < --set), then exit");
}

config::Config ConfigOptions::resolve(const config::Schema& schema,
                                      const std::vector<std::string>& extra_sets) const {
  std::vector<std::string> all = extra_sets;
  all.insert(all.end(), sets.begin(), sets.end());
  return config::Config::resolve(schema, preset, file, all);
}

bool ConfigOptions::handle_info_flags(const config::Schema& schema,
                                      const std::vector<std::string>& extra_sets) const {
  if (describe) {
    std::cout << "# qneuro " << schema.command() << " configuration keys\n\n"
              << schema.markdown() << "\nPresets:";
    for (const auto& name : schema.preset_names()) {
      std::cout << "\n- `" << name << "`: " << *schema.preset_description(name);
    }
    std::cout << "\n";
    return true;
  }
  if (print) {
    std::cout << resolve(schema, extra_sets).to_toml();
    return true;
  }
  return false;
}

std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

InterruptGuard::InterruptGuard() {
  g_interrupted = 0;
  previous_ = std::signal(SIGINT, on_sigint);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_);
}

bool InterruptGuard::interrupted() {
  return g_interrupted != 0;
}

int run_main(int argc, char** argv,
             const std::function<std::vector<Command>(CLI::App&, GlobalOptions&)>& add_commands,
             const std::function<void()>& after_setup) {
  GlobalOptions global;
  global.command_line = join_args(argc, argv);
  global.argv = argv;

  CLI::App app{
      "qneuro: quantum-inspired neural modelling toolkit.\n"
      "Engines: neural field (field), EEG analysis (analyze), QLIF spiking networks (snn), "
      "Quantum Flux language model (flux).\n"
      "Exit codes: 0 success, 1 runtime failure, 2 usage or input error.",
      "qneuro"};
  app.set_version_flag("--version", build_info::version_line());
  app.add_option("--threads,-j", global.threads, "OpenMP threads (0 = all available)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--quiet,-q", global.quiet, "only warnings and errors; no progress bar or table");
  app.add_flag("--verbose,-v", global.verbose, "debug logging");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand name

  const std::vector<Command> commands = add_commands(app, global);

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
    if (after_setup) after_setup();
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

}  // namespace qneuro::cli
