#pragma once
// `daytrader sweep`: many training runs (a grid of settings x folds x seeds) spread over the ranks
// of an MPI job, each a normal training run of one seed on one fold in its own folder, gathered
// into the same tables `train` prints, per setting and across the settings.
//
// The sweep file is described in config/sweep_config.h.
//
// Layout: OUT/sweep.toml (a copy), OUT/points.csv (point number -> settings), and per point
// OUT/point_P/ with run.toml (the effective configuration), fold_K/seed_S/ per job (the model
// folder `train` writes, plus result.json), fold_K/ (the seed chosen on the validation sessions),
// summary.csv and report.html; OUT/sweep_summary.csv has one row per point and fold.
//
// A job is done when its seed_S/result.json exists (written last; the folder is built as
// seed_S.partial and renamed), so a sweep that is interrupted and started again runs only the
// jobs that are not done. A point folder whose run.toml differs from the sweep's setting for it is
// refused rather than mixed with new results. Anything chosen (each fold's saved seed, and the
// setting the sweep names best) is chosen on validation sessions, never on test sessions.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "config/sweep_config.h"

namespace daytrader::train {

using config::SweepConfig;
using config::SweepPoint;

// One job: a point, a fold and a seed.
struct SweepJob {
  std::size_t point = 0;  // index into the points
  std::size_t fold = 0;   // 0-based
  std::uint64_t seed = 0;
};
// Every job of the sweep, point by point, fold by fold, seed by seed.
[[nodiscard]] std::vector<SweepJob> sweep_jobs(const std::vector<SweepPoint>& points, std::size_t sessions);

struct SweepOptions {
  bool quiet = false;                  // no line per finished job
  double collective_timeout_s = 600;   // dist::CommSettings, set by the training plugin before world()
  double silence_timeout_s = 120;      // dist::JobPoolOptions: a rank silent this long ends the sweep
};

// Runs the sweep over the ranks of the process's MPI world (dist::world(); a single process runs
// every job itself). Every rank calls it. Rank 0 prints each job as it ends and, at the end, every
// point's table (as `train` prints it) and the table across points. Throws core::DaytraderError on
// a bad file or setting before any job runs; a failing job ends the sweep on every rank with a
// message naming the rank and the job.
void run_sweep(const SweepConfig& config, const SweepOptions& options);

}  // namespace daytrader::train
