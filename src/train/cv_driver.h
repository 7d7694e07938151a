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

namespace daytrader::train {

struct CvOptions {
  std::string data_path;      // the dataset's path, as recorded in each fold's metadata.json
  std::filesystem::path out;  // the run folder (created)
  bool quiet = false;         // no progress lines on stderr
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

}  // namespace daytrader::train
