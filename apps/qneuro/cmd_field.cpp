// qneuro field: simulate the 3-D (x, y, r) neural field, read it out as EEG, analyse it
// (field/run.hpp).
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/field/run.hpp"

namespace qneuro::cli {
namespace {

struct FieldOptions {
  std::string out = "field-out";
  std::string resume;
  bool print_json = false;
  ConfigOptions config;
};

int run_field(const FieldOptions& opt, const GlobalOptions& global) {
  ConfigOptions copt = opt.config;
  field::FieldRunOptions run;
  run.out = opt.out;
  run.command_line = global.command_line;
  const bool resuming = !opt.resume.empty();
  if (resuming) {
    if (copt.file) throw UsageError("field: --resume takes the config of the run; drop --config");
    run.out = opt.resume;
    field::check_resumable(run.out);
    copt.file = run.out / "config.resolved.toml";
    copt.preset.clear();
  } else if (copt.preset.empty() && !copt.file) {
    copt.preset = field::kDefaultFieldPreset;
  }
  if (copt.handle_info_flags(field::field_schema())) return kExitOk;
  const config::Config cfg = copt.resolve(field::field_schema());

  const InterruptGuard ctrl_c;  // Ctrl-C stops after the current step and writes a checkpoint
  ProgressObserver<field::FieldObserver> progress("field", global);
  const field::FieldRunResult r =
      resuming ? field::resume(cfg, run, &progress) : field::simulate(cfg, run, &progress);
  progress.finish();
  if (r.analysis && !global.quiet && !opt.print_json) {
    std::cout << eeg::format_table(*r.analysis) << std::flush;
  }
  if (opt.print_json) std::cout << r.summary.dump(2) << "\n";
  if (r.status == RunStatus::Stopped) {
    throw NumericalError(
        "field: run stopped: " + r.stop_reason + ". The outputs up to that point are in " +
        run.out.string() +
        (r.params.output.checkpoint_every > 0 && std::filesystem::exists(run.out / "checkpoint.h5")
             ? " (checkpoint.h5 holds the last checkpointed state, which was "
               "checked before it was written)"
             : ""));
  }
  return r.status == RunStatus::Interrupted ? kExitRuntime : kExitOk;
}

}  // namespace

Command register_field(CLI::App& root, const GlobalOptions& global) {
  auto opt = std::make_shared<FieldOptions>();
  CLI::App* sub = root.add_subcommand(
      "field",
      "Simulate the 3-D (x, y, r) Schroedinger-like neural field (docs/field.md):\n"
      "  i D dpsi/dt = -D^2 (d_x^2 + d_y^2 + gamma_r d_r^2) psi + (V_ext + V_conn + lambda_Q Q - "
      "i W) psi\n"
      "with log-normal connectivity, the macroscopic quantum potential Q and brain-state\n"
      "absorption, by Strang splitting with unitary ADI Crank-Nicolson factors (or split-step "
      "Fourier).\n"
      "Virtual electrodes read it out as EEG, which is analysed as by `qneuro analyze`.\n"
      "Writes DIR/eeg.h5, DIR/eeg.edf, DIR/summary.json (qneuro.analysis/1 + \"field\"),\n"
      "DIR/config.resolved.toml, DIR/run.json (and DIR/checkpoint.h5 with "
      "output.checkpoint_every).\n"
      "Default preset: demo (64x64x32, seconds on 2 cores). Ctrl-C stops cleanly with a "
      "checkpoint.");
  sub->add_option("--out,-o", opt->out, "output directory")->capture_default_str();
  sub->add_option("--resume", opt->resume,
                  "continue the run in DIR from DIR/checkpoint.h5 (bit-identical); only "
                  "time.steps and output.* (not output.snapshot_r) may be changed with --set");
  sub->add_flag("--json", opt->print_json, "print summary.json to stdout instead of the table");
  opt->config.add_to(*sub, field::field_schema());
  return {sub, [opt, &global] { return run_field(*opt, global); }};
}

}  // namespace qneuro::cli
