// The field run API (run.hpp): the loop around Simulation with its outputs, as `qneuro field`
// writes them.
#include "qneuro/field/run.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/io/run_record.hpp"

namespace qneuro::field {

namespace fs = std::filesystem;

namespace {

io::Recording to_recording(const FieldRecord& rec) {
  io::Recording r;
  r.source = "qneuro field";
  r.format = "field";
  r.channels = rec.labels;
  r.sfreq_hz = rec.fs_hz;
  r.data = rec.signals_uv;
  return r;
}

nlohmann::ordered_json field_json(const FieldRunResult& r, double node_updates_per_s,
                                  double steps_per_s) {
  const auto& diags = r.record.diagnostics;
  const FieldParams& p = r.params;
  nlohmann::ordered_json j;
  j["status"] = to_string(r.status);
  if (r.status != RunStatus::Completed) j["stop_reason"] = r.stop_reason;
  j["grid"] = p.grid.describe();
  j["precision"] = to_string(p.precision);
  j["solver"] = to_string(p.solver);
  j["steps"] = r.steps;
  j["dt"] = p.time.dt;
  j["sim_time_s"] = static_cast<double>(r.steps) * p.time.dt * p.time.time_unit_s;
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
  if (p.model.has_dephasing()) {
    j["decoherence"] = {{"rate_hz", p.model.dephasing_rate_hz},
                        {"length", p.model.dephasing_length}};
  }
  if (!p.populations.empty()) {
    auto& pops = j["populations"] = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < p.populations.size(); ++k) {
      const PopulationParams& pop = p.populations[k];
      nlohmann::ordered_json e{{"name", pop.name},
                               {"D", pop.D},
                               {"readout", pop.readout},
                               {"coupling", pop.coupling}};
      const auto& rows = r.record.population_diagnostics.at(k);
      if (!rows.empty()) {
        e["final_norm"] = rows.back().norm;
        e["energy_initial"] = rows.front().energy;
        e["energy_final"] = rows.back().energy;
      }
      pops.push_back(std::move(e));
    }
  }
  j["throughput"] = {{"node_updates_per_s", node_updates_per_s},
                     {"steps_per_s", steps_per_s},
                     {"stepping_s", r.stepping_seconds},
                     {"threads", parallel::max_threads()}};
  return j;
}

FieldRunResult run(const config::Config& cfg, const FieldRunOptions& options,
                   FieldObserver* observer, bool resuming) {
  FieldRunResult result;
  result.params = params_from_config(cfg);
  result.preset = cfg.preset();
  const FieldParams& params = result.params;
  const fs::path& out = options.out;
  const bool files = !out.empty();
  if (resuming && !files) throw UsageError("field: resume needs the run's directory");
  log::info(
      "field {} ({}), {} steps of dt = {} ({} s), {} electrodes at {} Hz (every {} steps), "
      "{} {}, {} threads, ~{:.0f} MB",
      params.grid.describe(), cfg.preset().empty() ? "config" : "preset " + cfg.preset(),
      params.time.steps, params.time.dt,
      static_cast<double>(params.time.steps) * params.time.dt * params.time.time_unit_s,
      params.readout.electrodes.size(), params.readout.fs_hz, params.steps_per_sample(),
      to_string(params.precision), to_string(params.solver), parallel::max_threads(),
      static_cast<double>(estimated_memory_bytes(params)) / 1e6);

  io::RunRecord run("field", options.command_line);
  if (files) fs::create_directories(out);
  const fs::path checkpoint = out / "checkpoint.h5";
  const std::string print = resume_fingerprint(cfg);
  Simulation sim(params);
  if (resuming) {
    sim.resume(checkpoint, print);
    log::info("resumed from {} at step {}", checkpoint.string(), sim.step());
  } else {
    sim.start();
  }
  // Written before stepping (a crashed run can still be resumed) and again on resume, so it
  // always holds what the outputs in the directory were computed with (e.g. a longer time.steps).
  if (files) io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());

  auto write_checkpoint = [&] {
    sim.write_checkpoint(checkpoint, print);
    if (observer != nullptr) observer->on_checkpoint(sim.step(), checkpoint);
  };
  Simulation::Callbacks cb;
  if (observer != nullptr) {
    cb.progress = [&](uint64_t step) {
      observer->on_progress({step, params.time.steps, "steps", {}});
    };
    cb.interrupted = [observer] { return observer->stop_requested(); };
    cb.sample = [&](std::size_t i) { observer->on_sample(sim.record(), i); };
    cb.diagnostics = [observer](const Diagnostics& d) { observer->on_diagnostics(d); };
    cb.snapshot = [&](std::size_t i) { observer->on_snapshot(sim.record(), i); };
  }
  if (files) {
    cb.checkpoint = [&](uint64_t step) {
      write_checkpoint();
      log::debug("checkpoint at step {}", step);
    };
  }
  result.status = sim.run(cb);
  result.stop_reason = sim.stop_reason();
  if (files && result.status == RunStatus::Completed && params.output.checkpoint_every > 0) {
    write_checkpoint();  // lets resume() extend the run
    result.checkpoint_written = true;
  }
  if (result.status == RunStatus::Interrupted) {
    if (files) {
      write_checkpoint();
      result.checkpoint_written = true;
      log::warn(
          "interrupted at step {}: checkpoint written; continue with qneuro field --resume {}",
          sim.step(), out.string());
    } else {
      log::warn("interrupted at step {} (no output directory: nothing written)", sim.step());
    }
  }

  result.steps = sim.step();
  result.steps_done_here = sim.steps_done_here();
  result.stepping_seconds = sim.stepping_seconds();
  result.record = sim.release_record();
  result.eeg = to_recording(result.record);
  const double node_updates =
      static_cast<double>(params.grid.size()) * static_cast<double>(result.steps_done_here);
  const double secs = std::max(result.stepping_seconds, 1e-12);
  const io::Recording& rec = result.eeg;
  if (rec.n_samples() >= 8) {
    const double duration = static_cast<double>(rec.n_samples()) / rec.sfreq_hz;
    result.analysis = eeg::analyze_simulated(rec, 2.0, std::min(1.0, duration / 8.0));
  }
  nlohmann::ordered_json& summary = result.summary;
  if (result.analysis) {
    summary = eeg::summary_json(*result.analysis);
  } else {
    summary["schema"] = eeg::kAnalysisSchema;
    summary["note"] = "too few samples for the spectral analysis";
  }
  summary["field"] =
      field_json(result, node_updates / secs, static_cast<double>(result.steps_done_here) / secs);
  if (files) {
    if (rec.n_samples() > 0) {
      write_eeg_h5(out / "eeg.h5", params, result.record, rec);
      write_eeg_edf(out / "eeg.edf", params, rec);
    }
    io::write_json(out / "summary.json", summary);
    run.extra()["throughput"] = summary["field"]["throughput"];
    run.extra()["status"] = summary["field"]["status"];
    run.write(out);
  }
  log::info("field: {} steps in {:.2f} s ({:.3g} node updates/s){}", result.steps_done_here,
            result.stepping_seconds, node_updates / secs,
            files ? "; wrote " + out.string() : std::string());
  return result;
}

/// Two TOML values print the same (toml::node has no equality across types).
bool same_value(const toml::node& a, const toml::node& b) {
  auto text = [](const toml::node& n) {
    std::ostringstream os;
    n.visit([&os](const auto& v) { os << toml::toml_formatter{toml::table{{"v", v}}}; });
    return os.str();
  };
  return text(a) == text(b);
}

}  // namespace

std::string resume_fingerprint(const config::Config& cfg) {
  toml::table t = cfg.table();
  if (auto* time = t["time"].as_table()) time->erase("steps");
  // Keys added after checkpoints were first written (issue 20) count only when they differ from
  // their defaults, so checkpoints of earlier versions still resume.
  const toml::table& defaults = field_schema().defaults();
  for (const char* section : {"decoherence", "populations", "state"}) {
    auto* table = t[section].as_table();
    const auto* def = defaults[section].as_table();
    if (table == nullptr || def == nullptr) continue;
    for (const char* key : {"rate_hz", "length", "seed", "names", "D", "harmonic_omega",
                            "initial_center", "readout", "coupling", "alpha", "decoherence"}) {
      const toml::node* value = table->get(key);
      const toml::node* default_value = def->get(key);
      if (value != nullptr && default_value != nullptr && same_value(*value, *default_value)) {
        table->erase(key);
      }
    }
    if (table->empty()) t.erase(section);
  }
  if (auto* output = t["output"].as_table()) {
    for (const char* key : {"diag_every", "snapshot_every", "checkpoint_every", "norm_tolerance"}) {
      output->erase(key);
    }
  }
  std::ostringstream os;
  os << toml::toml_formatter{t};
  return os.str();
}

FieldRunResult simulate(const config::Config& cfg, const FieldRunOptions& options,
                        FieldObserver* observer) {
  return run(cfg, options, observer, false);
}

void check_resumable(const fs::path& dir) {
  if (!fs::exists(dir / "config.resolved.toml") || !fs::exists(dir / "checkpoint.h5")) {
    throw InputError("field: --resume " + dir.string() +
                     ": the directory must hold config.resolved.toml and checkpoint.h5 of a "
                     "previous run (write checkpoints with output.checkpoint_every)");
  }
}

config::Config resume_config(const fs::path& dir, const std::vector<std::string>& overrides) {
  check_resumable(dir);
  return config::Config::resolve(field_schema(), "", dir / "config.resolved.toml", overrides);
}

FieldRunResult resume(const config::Config& cfg, const FieldRunOptions& options,
                      FieldObserver* observer) {
  return run(cfg, options, observer, true);
}

void write_eeg_h5(const fs::path& path, const FieldParams& p, const FieldRecord& r,
                  const io::Recording& rec) {
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
    f.set_attr("electrodes/positions", "weight", to_string(p.readout.weight));
    write_diagnostics_h5(f, "diagnostics", r.diagnostics);
    for (std::size_t j = 0; j < r.population_diagnostics.size(); ++j) {
      write_diagnostics_h5(f, "diagnostics/populations/" + r.population_names[j],
                           r.population_diagnostics[j]);
    }
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

void write_eeg_edf(const fs::path& path, const FieldParams& p, const io::Recording& rec) {
  io::save_recording(path, rec, "qneuro field electrode",
                     "Startdate X X qneuro-field " + p.grid.describe());
}

}  // namespace qneuro::field
