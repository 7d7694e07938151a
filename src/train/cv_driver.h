#pragma once
// Time-series cross-validation of PPO on a dataset, the work behind `daytrader train`. Per fold:
// fit the scaler on the training sessions, train, evaluate the deterministic policy on the test
// sessions next to the baselines, and save the model folder; then a summary across folds.
//
// Each fold trains train.seeds PPO runs (seeds ppo.seed, ppo.seed + 1, ...). Every seed is judged
// on the test range, so the results are a distribution over seeds, not a picked run; the model
// saved as the fold's model is chosen on the validation range (train.validation_sessions) by its
// net P&L there, never on the test range. Without a validation range the first seed is saved and
// nothing is chosen.
//
// A run folder holds run.toml, fold_<k>/ for every finished fold and summary.csv; with several
// seeds, fold_<k>/seed_<s>/ holds each seed's model and fold_<k>/ itself the chosen one. A fold is
// written into fold_<k>.partial and renamed once every file is in place, so a fold_<k> folder is
// always complete; a new run first removes the folds and summary of an earlier one.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "backtest/evaluate.h"
#include "backtest/folds.h"
#include "backtest/report.h"
#include "config/run_config.h"
#include "dataset/dataset.h"
#include "env/env_data.h"
#include "features/scaler.h"
#include "rl/reduce_group.h"

namespace daytrader::train {

struct CvOptions {
  std::string data_path;      // the dataset's path, as recorded in each fold's metadata.json
  std::filesystem::path out;  // the run folder (created)
  bool quiet = false;         // no progress lines on stderr
  // Data-parallel training (rl/ppo_trainer.h): every member of the group calls
  // run_cross_validation with the same arguments and they train each seed together; rank 0
  // alone prints and writes. nullptr: one process.
  rl::ReduceGroup* group = nullptr;
  double collective_timeout_s = 600;  // data-parallel: a collective that takes longer ends the job
};

struct SeedOutcome {
  std::uint64_t seed = 0;
  std::vector<backtest::RunResult> test;          // on the test sessions: model, flat, random, buy and hold, order flow
  std::optional<backtest::Metrics> validation;    // the model on the validation sessions, if any
  // Net P&L of every test run at 0/1/2 ticks of slippage under each fill rule (deterministic
  // evaluation only: a sampled policy's draws would differ between the rows).
  std::vector<backtest::SensitivityRow> sensitivity;
  std::int64_t timesteps = 0;
  double train_seconds = 0;
};

struct FoldOutcome {
  backtest::Fold fold;
  std::vector<SeedOutcome> seeds;
  std::size_t chosen = 0;      // index in seeds of the model saved in dir
  std::string selection;       // how it was chosen, in words
  std::filesystem::path dir;   // fold_<k>
  std::optional<backtest::OrderFlowRule> order_flow;  // the baseline's rule, fitted on the training sessions
};

// Trains and evaluates every fold of `run.train`, printing each fold's table and the summary to
// stdout. Throws core::DaytraderError naming what failed (a setting, a file, a diverging update).
std::vector<FoldOutcome> run_cross_validation(const config::RunConfig& run, const dataset::Dataset& data,
                                              const CvOptions& options);

// The parts run_cross_validation is made of, which `sweep` runs one job at a time.

// What every seed of a fold trains and is judged on: the scaler fitted on the training sessions,
// the environments' data of each range, and the order-flow baseline fitted on the training ones.
struct FoldData {
  backtest::Fold fold;
  features::Scaler scaler;
  std::shared_ptr<const env::EnvData> train, test, validation;  // validation: null without a range
  std::optional<backtest::OrderFlowRule> order_flow;
};
[[nodiscard]] FoldData prepare_fold(const config::RunConfig& run, const dataset::Dataset& data, const backtest::Fold& fold);

struct SeedRun {
  std::size_t fold_number = 1;  // 1-based, for messages and metadata.json
  std::size_t folds = 1;
  std::uint64_t seed = 0;       // ppo.seed of this run
  std::filesystem::path dir;    // the model folder (must exist when write is set)
  std::string data_path;        // as recorded in metadata.json
  bool write = true;            // write the model folder and print the seed's table (data-parallel: rank 0)
  bool quiet = false;           // no progress on stderr
  bool print_table = true;      // with write: the seed's results table on stdout
  bool tty = false;             // progress as one rewritten line (else a line per tenth of the run)
  rl::ReduceGroup* group = nullptr;
};
// Trains one seed on a fold and judges it: the test sessions next to every baseline, the
// validation sessions, the cost and fill sensitivity; writes the model folder (weights, optimiser
// state, scaler, run.toml, metadata.json, metrics.csv) when s.write.
[[nodiscard]] SeedOutcome train_seed(const config::RunConfig& run, const dataset::Dataset& data, const FoldData& fd,
                                     const SeedRun& s);
// Chooses the fold's saved seed on the validation sessions (never the test ones), says how in
// o.selection and, with several seeds and `write`, copies it from fold_dir/seed_S into fold_dir.
void choose_saved_seed(FoldOutcome& o, const dataset::Dataset& data, const std::filesystem::path& fold_dir, bool write);
// The table of every fold's seeds against the baselines with the saved models' significance, and
// every fold's test days end to end, on stdout; the same rows into `path` (summary.csv).
void write_summary(const std::vector<FoldOutcome>& outcomes, const dataset::Dataset& data,
                   const std::filesystem::path& path);
// The run's report.html in `out` (train/run_report.h), reading each seed's metrics.csv from its folder.
void write_report(const std::vector<FoldOutcome>& outcomes, const dataset::Dataset& data,
                  const config::RunConfig& run, const std::filesystem::path& out, const std::string& data_path,
                  const std::string& effective);
// The saved seed's sensitivity table of a fold on stdout.
void print_sensitivity(const FoldOutcome& o, const config::RunConfig& run);

}  // namespace daytrader::train
