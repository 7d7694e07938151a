// daytrader train: time-series cross-validation of PPO on a dataset (train/cv_driver.h), run by
// the training plugin so that only this command loads libtorch. Under mpirun every rank runs this
// command and the plugin trains data-parallel over them (rl/ppo_trainer.h).

#include "commands.h"
#include "common.h"
#include "config/run_config.h"
#include "dataset/dataset.h"
#include "train_plugin.h"

namespace daytrader::cli {

void add_train(CLI::App& app) {
  struct Opts {
    std::string data;
    std::string out;
    std::string config;
    std::vector<std::string> sets;
    std::optional<int> folds, gap, seeds, validation, window_sessions;
    std::optional<std::string> window;
    std::optional<std::int64_t> timesteps, num_envs, threads;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    double mpi_timeout_s = 600;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("train", "Train PPO with time-series cross-validation and save a model per fold");
  cmd->add_option("--data", o->data, "Dataset built by `daytrader bars`")->required();
  cmd->add_option("--out", o->out, "Run folder; fold K is saved in OUT/fold_K")->required();
  cmd->add_option("--config", o->config, "TOML run configuration ([env], [ppo], [train])");
  cmd->add_option("--set", o->sets, "Override a setting: section.key=value, e.g. ppo.n_steps=256 (repeatable)");
  cmd->add_option("--folds", o->folds, "Time-series folds (train.folds)");
  cmd->add_option("--gap", o->gap, "Whole sessions between training and test ranges (train.gap_sessions)");
  cmd->add_option("--seeds", o->seeds, "PPO runs per fold, seeds ppo.seed, ppo.seed + 1, ... (train.seeds)");
  cmd->add_option("--validation", o->validation,
                  "Sessions before each test range that choose the saved seed (train.validation_sessions)");
  cmd->add_option("--window", o->window, "Training windows: expanding or rolling (train.window)");
  cmd->add_option("--train-sessions", o->window_sessions, "Sessions per rolling training window (train.train_sessions)");
  cmd->add_option("--timesteps", o->timesteps, "Environment steps per fold (ppo.total_timesteps)");
  cmd->add_option("--num-envs", o->num_envs, "Environments stepped together (ppo.num_envs)");
  cmd->add_option("--seed", o->seed, "Seed of PPO and the environments (ppo.seed)");
  cmd->add_option("--threads", o->threads, "Torch threads (ppo.torch_threads)");
  cmd->add_flag("--quiet", o->quiet, "No progress line");
  cmd->add_option("--mpi-timeout", o->mpi_timeout_s,
                  "Under mpirun: seconds a collective operation may take before the job is ended as hung")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd->callback([o] {
    std::vector<std::string> sets = o->sets;
    if (o->folds) sets.push_back(fmt::format("train.folds={}", *o->folds));
    if (o->gap) sets.push_back(fmt::format("train.gap_sessions={}", *o->gap));
    if (o->seeds) sets.push_back(fmt::format("train.seeds={}", *o->seeds));
    if (o->validation) sets.push_back(fmt::format("train.validation_sessions={}", *o->validation));
    if (o->window) sets.push_back(fmt::format("train.window=\"{}\"", *o->window));
    if (o->window_sessions) sets.push_back(fmt::format("train.train_sessions={}", *o->window_sessions));
    if (o->timesteps) sets.push_back(fmt::format("ppo.total_timesteps={}", *o->timesteps));
    if (o->num_envs) sets.push_back(fmt::format("ppo.num_envs={}", *o->num_envs));
    if (o->seed) sets.push_back(fmt::format("ppo.seed={}", *o->seed));
    if (o->threads) sets.push_back(fmt::format("ppo.torch_threads={}", *o->threads));
    const auto run = must(config::load_run_config(o->config, sets));
    const auto data = must(dataset::Dataset::open(o->data));
    train::CvOptions options;
    options.data_path = o->data;
    options.out = o->out;
    options.quiet = o->quiet;
    options.collective_timeout_s = o->mpi_timeout_s;
    std::vector<train::FoldOutcome> outcomes;
    const std::string error = train_plugin().run_cross_validation(run, data, options, outcomes);
    if (!error.empty()) fail("{}", error);
  });
}

}  // namespace daytrader::cli
