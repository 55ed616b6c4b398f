#include "qneuro/field/simulation.hpp"

#include <chrono>
#include <cmath>
#include <cstring>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/field/initial.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::field {

namespace {
// Diagnostics columns as stored in checkpoints and eeg.h5.
struct DiagColumns {
  std::vector<double> step, t_s, norm, energy, e_kin, e_ext, e_conn, e_mqp, max_q, min_a, clamped,
      finite, mean_pos;
};

DiagColumns to_columns(const std::vector<Diagnostics>& diags) {
  DiagColumns c;
  for (const auto& d : diags) {
    c.step.push_back(static_cast<double>(d.step));
    c.t_s.push_back(d.t_s);
    c.norm.push_back(d.norm);
    c.energy.push_back(d.energy);
    c.e_kin.push_back(d.e_kinetic);
    c.e_ext.push_back(d.e_external);
    c.e_conn.push_back(d.e_connectivity);
    c.e_mqp.push_back(d.e_mqp);
    c.max_q.push_back(d.max_abs_q);
    c.min_a.push_back(d.min_amplitude);
    c.clamped.push_back(static_cast<double>(d.clamped));
    c.finite.push_back(d.finite ? 1.0 : 0.0);
    for (double x : d.mean_position) c.mean_pos.push_back(x);
  }
  return c;
}

const char* const kDiagNames[] = {"step",      "t_s",           "norm",           "energy",
                                  "e_kinetic", "e_external",    "e_connectivity", "e_mqp",
                                  "max_abs_q", "min_amplitude", "clamped",        "finite"};
}  // namespace

void write_diagnostics_h5(io::H5File& f, const std::string& group,
                          const std::vector<Diagnostics>& diags) {
  const DiagColumns c = to_columns(diags);
  const std::vector<const std::vector<double>*> cols{&c.step,  &c.t_s,   &c.norm,    &c.energy,
                                                     &c.e_kin, &c.e_ext, &c.e_conn,  &c.e_mqp,
                                                     &c.max_q, &c.min_a, &c.clamped, &c.finite};
  const uint64_t n = diags.size();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    f.write(group + "/" + kDiagNames[i], std::span<const double>(*cols[i]), {n});
  }
  f.write(group + "/mean_position", std::span<const double>(c.mean_pos), {n, 3});
}

std::vector<Diagnostics> read_diagnostics_h5(const io::H5File& f, const std::string& group) {
  std::vector<std::vector<double>> cols;
  for (const char* name : kDiagNames) cols.push_back(f.read_double(group + "/" + name).data);
  const auto pos = f.read_double(group + "/mean_position").data;
  std::vector<Diagnostics> out(cols[0].size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    Diagnostics& d = out[i];
    d.step = static_cast<uint64_t>(cols[0][i]);
    d.t_s = cols[1][i];
    d.norm = cols[2][i];
    d.energy = cols[3][i];
    d.e_kinetic = cols[4][i];
    d.e_external = cols[5][i];
    d.e_connectivity = cols[6][i];
    d.e_mqp = cols[7][i];
    d.max_abs_q = cols[8][i];
    d.min_amplitude = cols[9][i];
    d.clamped = static_cast<uint64_t>(cols[10][i]);
    d.finite = cols[11][i] != 0.0;
    d.mean_position = {pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]};
  }
  return out;
}

Simulation::Simulation(FieldParams params)
    : params_(std::move(params)),
      solver_(make_solver(params_.grid, params_.model, params_.time.dt, params_.time.time_unit_s,
                          params_.solver, params_.precision)),
      electrodes_(params_.grid, params_.readout) {
  record_.fs_hz = params_.readout.fs_hz;
  record_.labels = electrodes_.labels();
  record_.positions = electrodes_.positions();
  record_.signals_uv.assign(electrodes_.size(), {});
  record_.snapshot_slices = params_.output.snapshot_r;
}

void Simulation::start() {
  solver_->set_state(initial_state(params_.grid, params_.model, params_.initial));
  step_ = 0;
  last_norm_ = 1.0;
}

void Simulation::record_sample() {
  solver_->column_density(electrodes_.r_weights(), column_);
  const auto v = electrodes_.sample_uv(column_);
  for (std::size_t e = 0; e < v.size(); ++e) record_.signals_uv[e].push_back(v[e]);
}

bool Simulation::record_diagnostics() {
  const Diagnostics d = solver_->diagnostics(step_);
  record_.diagnostics.push_back(d);
  if (!norm_ok(d.norm, d.finite, " (t = " + strings::format_number(d.t_s) + " s)")) return false;
  last_norm_ = d.norm;
  return true;
}

bool Simulation::norm_ok(double norm, bool finite, const std::string& where) {
  const double tol = params_.output.norm_tolerance;
  const std::string at = " at step " + std::to_string(step_) + where;
  if (!finite || !std::isfinite(norm)) {
    stop_reason_ = "the state is not finite (NaN or Inf)" + at +
                   ": reduce time.dt, mqp.coupling or connectivity.beta, or set mqp.clamp";
    return false;
  }
  if (!params_.model.has_absorption() && std::abs(norm - 1.0) > tol) {
    stop_reason_ = "the norm drifted to " + strings::format_number(norm) + at +
                   " (|norm - 1| > output.norm_tolerance = " + strings::format_number(tol) +
                   "): the scheme is unitary, so this signals an unresolved potential; reduce "
                   "time.dt or the nonlinear couplings";
    return false;
  }
  if (params_.model.has_absorption() && norm > last_norm_ * (1.0 + tol)) {
    stop_reason_ = "the norm grew from " + strings::format_number(last_norm_) + " to " +
                   strings::format_number(norm) + at + " although absorption only removes density";
    return false;
  }
  return true;
}

bool Simulation::healthy() {
  const auto bytes = solver_->raw_state();
  double sum = 0.0;
  if (solver_->bytes_per_element() == 16) {
    const auto* v = reinterpret_cast<const double*>(bytes.data());
    for (std::size_t i = 0; i < bytes.size() / 8; ++i) sum += v[i] * v[i];
  } else {
    const auto* v = reinterpret_cast<const float*>(bytes.data());
    for (std::size_t i = 0; i < bytes.size() / 4; ++i) {
      sum += static_cast<double>(v[i]) * static_cast<double>(v[i]);
    }
  }
  return norm_ok(sum * params_.grid.dV(), true, " (found before writing a checkpoint)");
}

void Simulation::record_snapshot() {
  const std::size_t plane = params_.grid.plane();
  record_.snapshot_steps.push_back(step_);
  for (const int64_t ir : record_.snapshot_slices) {
    const std::size_t at = record_.snapshots.size();
    record_.snapshots.resize(at + plane);
    solver_->slice_density(static_cast<std::size_t>(ir),
                           std::span<float>(record_.snapshots.data() + at, plane));
  }
}

RunStatus Simulation::run(const Callbacks& cb) {
  const uint64_t steps = params_.time.steps;
  const uint64_t k = params_.steps_per_sample();
  const auto& out = params_.output;
  while (step_ < steps) {
    if (step_ % k == 0) {
      record_sample();
      bool finite = true;
      for (const auto& sig : record_.signals_uv) finite = finite && std::isfinite(sig.back());
      if (finite && cb.sample) cb.sample(record_.n_samples() - 1);
      for (const auto& sig : record_.signals_uv) {
        if (!std::isfinite(sig.back())) {
          // Keep only finite samples: the outputs (EDF included) hold the healthy part.
          for (auto& s : record_.signals_uv) s.pop_back();
          record_diagnostics();  // the non-finite state, for the record
          stop_reason_ = "the state is not finite (an electrode reads NaN or Inf) at step " +
                         std::to_string(step_) +
                         ": reduce time.dt, mqp.coupling, connectivity.beta or "
                         "stimulus.amplitude, or set mqp.clamp";
          return RunStatus::Stopped;
        }
      }
    }
    const bool diag_done = !record_.diagnostics.empty() && record_.diagnostics.back().step == step_;
    if (((out.diag_every > 0 && step_ % out.diag_every == 0) || step_ == 0) && !diag_done) {
      if (!record_diagnostics()) return RunStatus::Stopped;
      if (cb.diagnostics) cb.diagnostics(record_.diagnostics.back());
    }
    if (out.snapshot_every > 0 && step_ % out.snapshot_every == 0) {
      record_snapshot();
      if (cb.snapshot) cb.snapshot(record_.snapshot_steps.size() - 1);
    }
    const auto t0 = std::chrono::steady_clock::now();
    solver_->step(step_);
    stepping_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++step_;
    ++steps_done_here_;
    if (out.checkpoint_every > 0 && step_ % out.checkpoint_every == 0 && step_ < steps &&
        cb.checkpoint) {
      // Never checkpoint a broken state: check it here (without recording anything, so the
      // record does not depend on the checkpoint cadence).
      if (!healthy()) return RunStatus::Stopped;
      cb.checkpoint(step_);
    }
    if (cb.progress) cb.progress(step_);
    if (cb.interrupted && cb.interrupted() && step_ < steps) {
      stop_reason_ = "interrupted at step " + std::to_string(step_);
      return RunStatus::Interrupted;
    }
  }
  if (record_.diagnostics.empty() || record_.diagnostics.back().step != step_) {
    if (!record_diagnostics()) return RunStatus::Stopped;
    if (cb.diagnostics) cb.diagnostics(record_.diagnostics.back());
  }
  return RunStatus::Completed;
}

void Simulation::write_checkpoint(const std::filesystem::path& path,
                                  const std::string& fingerprint) const {
  io::AtomicFile out(path);
  {
    auto f = io::H5File::create(out.temp_path());
    f.set_attr("/", "schema", kCheckpointSchema);
    f.set_attr("/", "step", static_cast<int64_t>(step_));
    f.set_attr("/", "precision", to_string(params_.precision));
    f.set_attr("/", "grid", params_.grid.describe());
    f.set_attr("/", "fingerprint", fingerprint);
    f.set_attr("/", "last_norm", last_norm_);
    const auto bytes = solver_->raw_state();
    const uint64_t n = params_.grid.size();
    const std::vector<uint64_t> shape{params_.grid.nr(), params_.grid.ny(), params_.grid.nx(), 2};
    if (solver_->bytes_per_element() == 16) {
      f.write("psi", std::span<const double>(reinterpret_cast<const double*>(bytes.data()), 2 * n),
              shape);
    } else {
      f.write("psi", std::span<const float>(reinterpret_cast<const float*>(bytes.data()), 2 * n),
              shape);
    }
    const auto cache = solver_->raw_potential_cache();
    if (!cache.empty()) {
      if (solver_->bytes_per_element() == 16) {
        f.write("potential_cache",
                std::span<const double>(reinterpret_cast<const double*>(cache.data()), n), {n});
      } else {
        f.write("potential_cache",
                std::span<const float>(reinterpret_cast<const float*>(cache.data()), n), {n});
      }
    }
    std::vector<double> flat;
    for (const auto& s : record_.signals_uv) flat.insert(flat.end(), s.begin(), s.end());
    f.write("record/signals", std::span<const double>(flat),
            {record_.signals_uv.size(), record_.n_samples()});
    write_diagnostics_h5(f, "record/diagnostics", record_.diagnostics);
    std::vector<int64_t> steps(record_.snapshot_steps.begin(), record_.snapshot_steps.end());
    f.write("record/snapshot_steps", std::span<const int64_t>(steps), {steps.size()});
    f.write("record/snapshots", std::span<const float>(record_.snapshots),
            {record_.snapshots.size()});
    f.close();
  }
  out.commit();
}

void Simulation::resume(const std::filesystem::path& path, const std::string& fingerprint) {
  const auto f = io::H5File::open_read(path);
  const std::string where = "checkpoint '" + path.string() + "'";
  if (!f.has_attr("/", "schema") || f.attr_string("/", "schema") != kCheckpointSchema) {
    throw InputError(where + " is not a qneuro field checkpoint (schema " + kCheckpointSchema +
                     ")");
  }
  if (f.attr_string("/", "fingerprint") != fingerprint) {
    throw InputError(where +
                     " was written with a different configuration; a resumed run may change only "
                     "time.steps and output.* other than output.snapshot_r (compare "
                     "config.resolved.toml)");
  }
  if (f.attr_string("/", "precision") != to_string(params_.precision) ||
      f.attr_string("/", "grid") != params_.grid.describe()) {
    throw InputError(where + " holds a " + f.attr_string("/", "grid") + " " +
                     f.attr_string("/", "precision") + " state, the run needs " +
                     params_.grid.describe() + " " + to_string(params_.precision));
  }
  const uint64_t step = static_cast<uint64_t>(f.attr_int("/", "step"));
  if (step > params_.time.steps) {
    throw InputError(where + " is at step " + std::to_string(step) +
                     ", beyond time.steps = " + std::to_string(params_.time.steps));
  }
  if (solver_->bytes_per_element() == 16) {
    const auto psi = f.read_double("psi");
    solver_->set_raw_state(std::as_bytes(std::span<const double>(psi.data)));
  } else {
    const auto psi = f.read_float("psi");
    solver_->set_raw_state(std::as_bytes(std::span<const float>(psi.data)));
  }
  if (f.exists("potential_cache")) {
    if (solver_->bytes_per_element() == 16) {
      const auto u = f.read_double("potential_cache");
      solver_->set_raw_potential_cache(std::as_bytes(std::span<const double>(u.data)));
    } else {
      const auto u = f.read_float("potential_cache");
      solver_->set_raw_potential_cache(std::as_bytes(std::span<const float>(u.data)));
    }
  }
  const auto sig = f.read_double("record/signals");
  const std::size_t E = electrodes_.size();
  if (sig.shape.size() != 2 || sig.shape[0] != E) {
    throw InputError(where + " records " + std::to_string(sig.shape.empty() ? 0 : sig.shape[0]) +
                     " electrodes, the run has " + std::to_string(E));
  }
  const std::size_t S = sig.shape[1];
  for (std::size_t e = 0; e < E; ++e) {
    record_.signals_uv[e].assign(sig.data.begin() + static_cast<std::ptrdiff_t>(e * S),
                                 sig.data.begin() + static_cast<std::ptrdiff_t>((e + 1) * S));
  }
  record_.diagnostics = read_diagnostics_h5(f, "record/diagnostics");
  // The earlier run recorded its final state; keep that row only if the cadence has it too, so
  // an extended run's record equals an uninterrupted one's.
  const uint64_t every = params_.output.diag_every;
  if (!record_.diagnostics.empty() && record_.diagnostics.back().step == step && step != 0 &&
      (every == 0 || step % every != 0)) {
    record_.diagnostics.pop_back();
  }
  const auto snap_steps = f.read_double("record/snapshot_steps").data;
  record_.snapshot_steps.assign(snap_steps.begin(), snap_steps.end());
  record_.snapshots = f.read_float("record/snapshots").data;
  last_norm_ = f.attr_double("/", "last_norm");
  step_ = step;
}

}  // namespace qneuro::field
