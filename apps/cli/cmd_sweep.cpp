// daytrader sweep: a grid of settings x folds x seeds, each job a training run of one seed on one
// fold, spread over the ranks of an MPI job with dynamic scheduling (train/sweep.h); run by the
// training plugin, like train.

#include "commands.h"
#include "common.h"
#include "train/sweep.h"
#include "train_plugin.h"

namespace daytrader::cli {

void add_sweep(CLI::App& app) {
  struct Opts {
    std::string config;
    std::optional<std::string> out, data;
    std::vector<std::string> sets;
    bool quiet = false;
    double mpi_timeout_s = 600;
    double silence_s = 120;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "sweep", "Train a grid of settings x folds x seeds, spread over MPI ranks (mpirun -np N daytrader sweep ...)");
  cmd->add_option("--config", o->config, "The sweep file ([sweep] data, run_config, out, set; [grid])")->required();
  cmd->add_option("--out", o->out, "The sweep folder (overrides sweep.out)");
  cmd->add_option("--data", o->data, "The dataset (overrides sweep.data)");
  cmd->add_option("--set", o->sets, "Override a setting of every job: section.key=value (repeatable)");
  cmd->add_flag("--quiet", o->quiet, "No line per finished job (the tables at the end stay)");
  cmd->add_option("--mpi-timeout", o->mpi_timeout_s,
                  "Seconds a collective operation may take before the sweep is ended as hung")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--silence-timeout", o->silence_s,
                  "Seconds a rank running a job may go unheard before the sweep ends, naming it and its job")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd->callback([o] {
    auto sweep = must(config::load_sweep_config(o->config, o->sets));
    if (o->out) sweep.out = *o->out;
    if (o->data) sweep.data = *o->data;
    (void)must(config::sweep_points(sweep));  // every setting checked before the plugin loads
    train::SweepOptions options;
    options.quiet = o->quiet;
    options.collective_timeout_s = o->mpi_timeout_s;
    options.silence_timeout_s = o->silence_s;
    const std::string error = train_plugin().run_sweep(sweep, options);
    if (!error.empty()) fail("{}", error);
  });
}

}  // namespace daytrader::cli
