// qneuro field: simulate the 3-D (x, y, r) neural field, read it out as EEG, analyse it.
#include <csignal>
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/progress.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/field/simulation.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/edf.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int /*sig*/) {
  g_interrupted = 1;
}

struct FieldOptions {
  std::string out = "field-out";
  std::string resume;
  bool print_json = false;
  ConfigOptions config;
};

/// The resolved config without the keys a resumed run may change (time.steps, output.* except
/// output.snapshot_r, whose slices the stored snapshots already follow).
std::string fingerprint(const config::Config& cfg) {
  toml::table t = cfg.table();
  if (auto* time = t["time"].as_table()) time->erase("steps");
  if (auto* out = t["output"].as_table()) {
    for (const char* key : {"diag_every", "snapshot_every", "checkpoint_every", "norm_tolerance"}) {
      out->erase(key);
    }
  }
  std::ostringstream os;
  os << toml::toml_formatter{t};
  return os.str();
}

io::Recording to_recording(const field::FieldRecord& rec) {
  io::Recording r;
  r.source = "qneuro field";
  r.format = "field";
  r.channels = rec.labels;
  r.sfreq_hz = rec.fs_hz;
  r.data = rec.signals_uv;
  return r;
}

void write_eeg_h5(const std::filesystem::path& path, const field::Simulation& sim,
                  const io::Recording& rec) {
  const field::FieldRecord& r = sim.record();
  const field::FieldParams& p = sim.params();
  io::AtomicFile out(path);
  {
    auto f = io::H5File::create(out.temp_path());
    io::write_recording_h5(f, rec);
    f.set_attr("/", "engine", "qneuro field");
    f.set_attr("/", "scale_uv", p.readout.scale_uv);
    std::vector<double> pos;
    for (const auto& [x, y] : r.positions) {
      pos.push_back(x);
      pos.push_back(y);
    }
    f.write("electrodes/positions", std::span<const double>(pos), {r.positions.size(), 2});
    f.set_attr("electrodes/positions", "units", "grid length");
    f.set_attr("electrodes/positions", "sigma", p.readout.sigma);
    f.set_attr("electrodes/positions", "weight",
               p.readout.weight == field::ReadoutWeight::Uniform ? "uniform" : "signed");
    field::write_diagnostics_h5(f, "diagnostics", r.diagnostics);
    if (!r.snapshot_steps.empty()) {
      std::vector<int64_t> steps(r.snapshot_steps.begin(), r.snapshot_steps.end());
      f.write("snapshots/step", std::span<const int64_t>(steps), {steps.size()});
      f.write("snapshots/r_index", std::span<const int64_t>(r.snapshot_slices),
              {r.snapshot_slices.size()});
      f.write("snapshots/density", std::span<const float>(r.snapshots),
              {steps.size(), r.snapshot_slices.size(), p.grid.ny(), p.grid.nx()}, true);
      f.set_attr("snapshots/density", "layout", "[snapshot, slice, y, x], |psi|^2");
    }
    f.close();
  }
  out.commit();
}

void write_eeg_edf(const std::filesystem::path& path, const io::Recording& rec,
                   const field::FieldParams& p) {
  std::vector<io::EdfWriteSignal> signals;
  for (std::size_t c = 0; c < rec.n_channels(); ++c) {
    signals.push_back(
        {rec.channels[c], "uV", "qneuro field electrode", "none", rec.sfreq_hz, rec.data[c]});
  }
  io::EdfWriteOptions eo;
  eo.recording = "Startdate X X qneuro-field " + p.grid.describe();
  io::write_edf(path, signals, {}, eo);
}

nlohmann::ordered_json field_json(const field::Simulation& sim, field::RunStatus status,
                                  double node_updates_per_s, double steps_per_s) {
  const auto& diags = sim.record().diagnostics;
  const auto& p = sim.params();
  nlohmann::ordered_json j;
  j["status"] = status == field::RunStatus::Completed     ? "completed"
                : status == field::RunStatus::Interrupted ? "interrupted"
                                                          : "stopped";
  if (status != field::RunStatus::Completed) j["stop_reason"] = sim.stop_reason();
  j["grid"] = p.grid.describe();
  j["precision"] = field::to_string(p.precision);
  j["solver"] = field::to_string(p.solver);
  j["steps"] = sim.step();
  j["dt"] = p.time.dt;
  j["sim_time_s"] = static_cast<double>(sim.step()) * p.time.dt * p.time.time_unit_s;
  double max_q = 0.0;
  uint64_t clamped = 0;
  for (const auto& d : diags) {
    max_q = std::max(max_q, d.max_abs_q);
    clamped = std::max(clamped, d.clamped);
  }
  if (!diags.empty()) {
    const double e0 = diags.front().energy, e1 = diags.back().energy;
    j["final_norm"] = diags.back().norm;
    j["energy_initial"] = e0;
    j["energy_final"] = e1;
    j["energy_drift"] = e0 != 0.0 ? (e1 - e0) / std::abs(e0) : e1 - e0;
    j["min_amplitude"] = diags.back().min_amplitude;
  }
  j["max_abs_q"] = max_q;
  j["clamped_cells_max"] = clamped;
  j["throughput"] = {{"node_updates_per_s", node_updates_per_s},
                     {"steps_per_s", steps_per_s},
                     {"stepping_s", sim.stepping_seconds()},
                     {"threads", parallel::max_threads()}};
  return j;
}

int run_field(const FieldOptions& opt, const GlobalOptions& global) {
  const auto& schema = field::field_schema();
  ConfigOptions copt = opt.config;
  std::filesystem::path out(opt.out);
  if (!opt.resume.empty()) {
    if (copt.file) throw UsageError("field: --resume takes the config of the run; drop --config");
    out = opt.resume;
    copt.file = out / "config.resolved.toml";
    copt.preset.clear();
    if (!std::filesystem::exists(*copt.file) || !std::filesystem::exists(out / "checkpoint.h5")) {
      throw InputError("field: --resume " + opt.resume +
                       ": the directory must hold config.resolved.toml and checkpoint.h5 of a "
                       "previous run (write checkpoints with output.checkpoint_every)");
    }
  } else if (copt.preset.empty() && !copt.file) {
    copt.preset = field::kDefaultFieldPreset;
  }
  if (copt.handle_info_flags(schema)) return kExitOk;
  const config::Config cfg = copt.resolve(schema);
  const field::FieldParams params = field::params_from_config(cfg);
  const uint64_t k = params.steps_per_sample();
  log::info(
      "field {} ({}), {} steps of dt = {} ({} s), {} electrodes at {} Hz (every {} steps), "
      "{} {}, {} threads, ~{:.0f} MB",
      params.grid.describe(), cfg.preset().empty() ? "config" : "preset " + cfg.preset(),
      params.time.steps, params.time.dt,
      static_cast<double>(params.time.steps) * params.time.dt * params.time.time_unit_s,
      params.readout.electrodes.size(), params.readout.fs_hz, k, field::to_string(params.precision),
      field::to_string(params.solver), parallel::max_threads(),
      static_cast<double>(field::estimated_memory_bytes(params)) / 1e6);

  RunRecord run("field", global);
  std::filesystem::create_directories(out);
  const std::string print = fingerprint(cfg);
  field::Simulation sim(params);
  if (!opt.resume.empty()) {
    sim.resume(out / "checkpoint.h5", print);
    log::info("resumed from {} at step {}", (out / "checkpoint.h5").string(), sim.step());
  } else {
    sim.start();
  }
  // Written before stepping (a crashed run can still be resumed) and again on resume, so it
  // always holds what the outputs in DIR were computed with (e.g. an extended time.steps).
  io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());

  g_interrupted = 0;
  auto previous = std::signal(SIGINT, on_sigint);
  ProgressBar bar("field", params.time.steps, "steps", !global.quiet);
  field::Simulation::Callbacks cb;
  cb.progress = [&bar](uint64_t step) { bar.update(step); };
  cb.checkpoint = [&](uint64_t step) {
    sim.write_checkpoint(out / "checkpoint.h5", print);
    log::debug("checkpoint at step {}", step);
  };
  cb.interrupted = [] { return g_interrupted != 0; };
  const field::RunStatus status = sim.run(cb);
  bar.finish();
  std::signal(SIGINT, previous);
  if (status == field::RunStatus::Completed && params.output.checkpoint_every > 0) {
    sim.write_checkpoint(out / "checkpoint.h5", print);  // lets --resume extend the run
  }
  if (status == field::RunStatus::Interrupted) {
    sim.write_checkpoint(out / "checkpoint.h5", print);
    log::warn("interrupted at step {}: checkpoint written; continue with qneuro field --resume {}",
              sim.step(), out.string());
  }

  const double node_updates =
      static_cast<double>(params.grid.size()) * static_cast<double>(sim.steps_done_here());
  const double secs = std::max(sim.stepping_seconds(), 1e-12);
  const io::Recording rec = to_recording(sim.record());
  nlohmann::ordered_json summary;
  bool analysed = false;
  if (rec.n_samples() >= 8) {
    const double duration = static_cast<double>(rec.n_samples()) / rec.sfreq_hz;
    if (const auto result = analyze_simulated(rec, 2.0, std::min(1.0, duration / 8.0))) {
      summary = eeg::summary_json(*result);
      analysed = true;
      if (!global.quiet && !opt.print_json) std::cout << eeg::format_table(*result) << std::flush;
    }
  }
  if (!analysed) {
    summary["schema"] = eeg::kAnalysisSchema;
    summary["note"] = "too few samples for the spectral analysis";
  }
  summary["field"] = field_json(sim, status, node_updates / secs,
                                static_cast<double>(sim.steps_done_here()) / secs);
  if (rec.n_samples() > 0) {
    write_eeg_h5(out / "eeg.h5", sim, rec);
    write_eeg_edf(out / "eeg.edf", rec, params);
  }
  io::write_json(out / "summary.json", summary);
  run.extra()["throughput"] = summary["field"]["throughput"];
  run.extra()["status"] = summary["field"]["status"];
  run.write(out);
  if (opt.print_json) std::cout << summary.dump(2) << "\n";
  log::info("field: {} steps in {:.2f} s ({:.3g} node updates/s); wrote {}", sim.steps_done_here(),
            sim.stepping_seconds(), node_updates / secs, out.string());
  if (status == field::RunStatus::Stopped) {
    throw NumericalError(
        "field: run stopped: " + sim.stop_reason() + ". The outputs up to that point are in " +
        out.string() +
        (params.output.checkpoint_every > 0 && std::filesystem::exists(out / "checkpoint.h5")
             ? " (checkpoint.h5 holds the last checkpointed state, which was "
               "checked before it was written)"
             : ""));
  }
  return status == field::RunStatus::Interrupted ? kExitRuntime : kExitOk;
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
