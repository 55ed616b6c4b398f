#include "qneuro/field/simulation.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

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
/// Where population j's state lives in a checkpoint: the root for population 0 (the layout of a
/// single-population run), populations/<j>/ for the others.
std::string state_prefix(std::size_t j) {
  return j == 0 ? std::string() : "populations/" + std::to_string(j) + "/";
}

/// Population j's own diagnostics rows in a checkpoint (record/diagnostics holds the system's).
std::string population_diagnostics_group(std::size_t j) {
  return "record/populations/" + std::to_string(j) + "/diagnostics";
}

void write_solver_state(io::H5File& f, const FieldSolverBase& solver, const std::string& prefix,
                        const Grid& grid) {
  const auto bytes = solver.raw_state();
  const uint64_t n = grid.size();
  const std::vector<uint64_t> shape{grid.nr(), grid.ny(), grid.nx(), 2};
  const bool dbl = solver.bytes_per_element() == 16;
  if (dbl) {
    f.write(prefix + "psi",
            std::span<const double>(reinterpret_cast<const double*>(bytes.data()), 2 * n), shape);
  } else {
    f.write(prefix + "psi",
            std::span<const float>(reinterpret_cast<const float*>(bytes.data()), 2 * n), shape);
  }
  const auto cache = solver.raw_potential_cache();
  if (cache.empty()) return;
  if (dbl) {
    f.write(prefix + "potential_cache",
            std::span<const double>(reinterpret_cast<const double*>(cache.data()), n), {n});
  } else {
    f.write(prefix + "potential_cache",
            std::span<const float>(reinterpret_cast<const float*>(cache.data()), n), {n});
  }
}

void read_solver_state(const io::H5File& f, FieldSolverBase& solver, const std::string& prefix) {
  const bool dbl = solver.bytes_per_element() == 16;
  if (dbl) {
    const auto psi = f.read_double(prefix + "psi");
    solver.set_raw_state(std::as_bytes(std::span<const double>(psi.data)));
  } else {
    const auto psi = f.read_float(prefix + "psi");
    solver.set_raw_state(std::as_bytes(std::span<const float>(psi.data)));
  }
  if (!f.exists(prefix + "potential_cache")) return;
  if (dbl) {
    const auto u = f.read_double(prefix + "potential_cache");
    solver.set_raw_potential_cache(std::as_bytes(std::span<const double>(u.data)));
  } else {
    const auto u = f.read_float(prefix + "potential_cache");
    solver.set_raw_potential_cache(std::as_bytes(std::span<const float>(u.data)));
  }
}
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
    : params_(std::move(params)), electrodes_(params_.grid, params_.readout) {
  const std::size_t P = params_.population_count();
  for (std::size_t j = 0; j < P; ++j) {
    solvers_.push_back(make_solver(params_.grid, params_.population_model(j), params_.time.dt,
                                   params_.time.time_unit_s, params_.solver, params_.precision));
  }
  if (P > 1) {
    for (std::size_t j = 0; j < P; ++j) {
      record_.population_names.push_back(params_.populations[j].name);
      if (!params_.model.has_connectivity()) continue;
      std::vector<std::pair<double, const FieldSolverBase*>> sources;
      for (std::size_t k = 0; k < P; ++k) {
        sources.emplace_back(params_.populations[j].coupling.at(k), solvers_[k].get());
      }
      solvers_[j]->set_coupling(std::move(sources));
    }
    record_.population_diagnostics.assign(P, {});
  }
  record_.fs_hz = params_.readout.fs_hz;
  record_.labels = electrodes_.labels();
  record_.positions = electrodes_.positions();
  record_.signals_uv.assign(electrodes_.size(), {});
  record_.snapshot_slices = params_.output.snapshot_r;
}

void Simulation::start() {
  for (std::size_t j = 0; j < solvers_.size(); ++j) {
    solvers_[j]->set_state(initial_state(params_.grid, params_.population_model(j),
                                         params_.population_initial(j)));
  }
  step_ = 0;
  last_norm_ = 1.0;
  last_population_norms_.assign(record_.population_diagnostics.size(), 1.0);
}

void Simulation::advance() {
  if (solvers_.size() == 1 || !params_.model.has_connectivity()) {
    for (auto& s : solvers_) s->step(step_);  // uncoupled
    return;
  }
  // Coupled: each stage reads every population's density at the same time level.
  for (auto& s : solvers_) s->stage_potential();
  for (auto& s : solvers_) s->stage_kinetic(step_);
  for (auto& s : solvers_) s->stage_update_potential();
  for (auto& s : solvers_) s->stage_finish(step_);
}

void Simulation::record_sample() {
  solvers_[0]->column_density(electrodes_.r_weights(), column_);
  if (solvers_.size() > 1) {
    // sum_j c_j (column density of population j)
    const double c0 = params_.populations[0].readout;
    for (double& v : column_) v *= c0;
    for (std::size_t j = 1; j < solvers_.size(); ++j) {
      solvers_[j]->column_density(electrodes_.r_weights(), population_column_);
      const double c = params_.populations[j].readout;
      for (std::size_t i = 0; i < column_.size(); ++i) column_[i] += c * population_column_[i];
    }
  }
  const auto v = electrodes_.sample_uv(column_);
  for (std::size_t e = 0; e < v.size(); ++e) record_.signals_uv[e].push_back(v[e]);
}

Diagnostics Simulation::system_diagnostics() {
  if (solvers_.size() == 1) return solvers_[0]->diagnostics(step_);
  Diagnostics sum;
  sum.step = step_;
  sum.min_amplitude = std::numeric_limits<double>::infinity();
  std::array<double, 3> pos{0.0, 0.0, 0.0};
  for (std::size_t j = 0; j < solvers_.size(); ++j) {
    const Diagnostics d = solvers_[j]->diagnostics(step_);
    record_.population_diagnostics[j].push_back(d);
    sum.t_s = d.t_s;
    sum.norm += d.norm / static_cast<double>(solvers_.size());
    sum.energy += d.energy;
    sum.e_kinetic += d.e_kinetic;
    sum.e_external += d.e_external;
    sum.e_connectivity += d.e_connectivity;
    sum.e_mqp += d.e_mqp;
    for (int a = 0; a < 3; ++a) pos[a] += d.norm * d.mean_position[a];
    sum.max_abs_q = std::max(sum.max_abs_q, d.max_abs_q);
    sum.min_amplitude = std::min(sum.min_amplitude, d.min_amplitude);
    sum.clamped += d.clamped;
    sum.finite = sum.finite && d.finite;
  }
  const double total = sum.norm * static_cast<double>(solvers_.size());
  if (total > 0.0) {
    for (int a = 0; a < 3; ++a) sum.mean_position[a] = pos[a] / total;
  }
  return sum;
}

bool Simulation::record_diagnostics() {
  const Diagnostics d = system_diagnostics();
  record_.diagnostics.push_back(d);
  const std::string at = " (t = " + strings::format_number(d.t_s) + " s)";
  // Every population's norm is held to the rule (the mean could hide two drifting apart).
  for (std::size_t j = 0; j < record_.population_diagnostics.size(); ++j) {
    const Diagnostics& pd = record_.population_diagnostics[j].back();
    if (!norm_ok(pd.norm, pd.finite, at + " in population '" + record_.population_names[j] + "'",
                 last_population_norms_[j])) {
      return false;
    }
  }
  if (!norm_ok(d.norm, d.finite, at, last_norm_)) return false;
  last_norm_ = d.norm;
  for (std::size_t j = 0; j < last_population_norms_.size(); ++j) {
    last_population_norms_[j] = record_.population_diagnostics[j].back().norm;
  }
  return true;
}

bool Simulation::norm_ok(double norm, bool finite, const std::string& where, double last) {
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
  if (params_.model.has_absorption() && norm > last * (1.0 + tol)) {
    stop_reason_ = "the norm grew from " + strings::format_number(last) + " to " +
                   strings::format_number(norm) + at + " although absorption only removes density";
    return false;
  }
  return true;
}

bool Simulation::healthy() {
  double mean = 0.0;
  for (std::size_t j = 0; j < solvers_.size(); ++j) {
    const FieldSolverBase* solver = solvers_[j].get();
    const auto bytes = solver->raw_state();
    double sum = 0.0;
    if (solver->bytes_per_element() == 16) {
      const auto* v = reinterpret_cast<const double*>(bytes.data());
      for (std::size_t i = 0; i < bytes.size() / 8; ++i) sum += v[i] * v[i];
    } else {
      const auto* v = reinterpret_cast<const float*>(bytes.data());
      for (std::size_t i = 0; i < bytes.size() / 4; ++i) {
        sum += static_cast<double>(v[i]) * static_cast<double>(v[i]);
      }
    }
    if (solvers_.size() > 1 &&
        !norm_ok(sum * params_.grid.dV(), true,
                 " (found before writing a checkpoint) in population '" +
                     record_.population_names[j] + "'",
                 last_population_norms_[j])) {
      return false;
    }
    mean += sum / static_cast<double>(solvers_.size());
  }
  return norm_ok(mean * params_.grid.dV(), true, " (found before writing a checkpoint)",
                 last_norm_);
}

void Simulation::record_snapshot() {
  const std::size_t plane = params_.grid.plane();
  record_.snapshot_steps.push_back(step_);
  std::vector<float> other(solvers_.size() > 1 ? plane : 0);
  for (const int64_t ir : record_.snapshot_slices) {
    const std::size_t at = record_.snapshots.size();
    record_.snapshots.resize(at + plane);
    const auto slice = std::span<float>(record_.snapshots.data() + at, plane);
    solvers_[0]->slice_density(static_cast<std::size_t>(ir), slice);
    for (std::size_t j = 1; j < solvers_.size(); ++j) {
      solvers_[j]->slice_density(static_cast<std::size_t>(ir), other);
      for (std::size_t i = 0; i < plane; ++i) slice[i] += other[i];
    }
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
    advance();
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
    if (!last_population_norms_.empty()) {
      f.write("record/population_last_norms", std::span<const double>(last_population_norms_),
              {last_population_norms_.size()});
    }
    for (std::size_t j = 0; j < solvers_.size(); ++j) {
      write_solver_state(f, *solvers_[j], state_prefix(j), params_.grid);
    }
    std::vector<double> flat;
    for (const auto& s : record_.signals_uv) flat.insert(flat.end(), s.begin(), s.end());
    f.write("record/signals", std::span<const double>(flat),
            {record_.signals_uv.size(), record_.n_samples()});
    write_diagnostics_h5(f, "record/diagnostics", record_.diagnostics);
    for (std::size_t j = 0; j < record_.population_diagnostics.size(); ++j) {
      write_diagnostics_h5(f, population_diagnostics_group(j),
                           record_.population_diagnostics[j]);
    }
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
  for (std::size_t j = 0; j < solvers_.size(); ++j) {
    const std::string prefix = state_prefix(j);
    if (!f.exists(prefix + "psi")) {
      throw InputError(where + " holds no state of population " + std::to_string(j) + " ('" +
                       prefix + "psi')");
    }
    read_solver_state(f, *solvers_[j], prefix);
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
  for (std::size_t j = 0; j < record_.population_diagnostics.size(); ++j) {
    record_.population_diagnostics[j] =
        read_diagnostics_h5(f, population_diagnostics_group(j));
  }
  // The earlier run recorded its final state; keep that row only if the cadence has it too, so
  // an extended run's record equals an uninterrupted one's.
  const uint64_t every = params_.output.diag_every;
  if (!record_.diagnostics.empty() && record_.diagnostics.back().step == step && step != 0 &&
      (every == 0 || step % every != 0)) {
    record_.diagnostics.pop_back();
    for (auto& rows : record_.population_diagnostics) {
      if (!rows.empty()) rows.pop_back();
    }
  }
  const auto snap_steps = f.read_double("record/snapshot_steps").data;
  record_.snapshot_steps.assign(snap_steps.begin(), snap_steps.end());
  record_.snapshots = f.read_float("record/snapshots").data;
  last_norm_ = f.attr_double("/", "last_norm");
  last_population_norms_.assign(solvers_.size() > 1 ? solvers_.size() : 0, last_norm_);
  if (f.exists("record/population_last_norms")) {
    const auto norms = f.read_double("record/population_last_norms").data;
    if (norms.size() != last_population_norms_.size()) {
      throw InputError(where + " holds " + std::to_string(norms.size()) +
                       " population norms, the run has " + std::to_string(solvers_.size()));
    }
    last_population_norms_ = norms;
  }
  step_ = step;
}

}  // namespace qneuro::field
