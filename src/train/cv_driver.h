#pragma once
// Time-series cross-validation of PPO on a dataset, the work behind `daytrader train`. Per fold:
// fit the scaler on the training sessions, train, evaluate the deterministic policy on the test
// sessions next to the baselines, and save the model folder; then a summary across folds.
//
// A run folder holds run.toml, fold_<k>/ for every finished fold and summary.csv. A fold is
// written into fold_<k>.partial and renamed once every file is in place, so a fold_<k> folder is
// always complete; a new run first removes the folds and summary of an earlier one.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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

struct FoldOutcome {
  backtest::Fold fold;
  std::vector<backtest::RunResult> runs;  // on the test sessions: model, flat, random, buy and hold
  std::filesystem::path dir;              // the saved model folder
  std::int64_t timesteps = 0;
  double train_seconds = 0;
};

// Trains and evaluates every fold of `run.train`, printing each fold's table and the summary to
// stdout. Throws core::DaytraderError naming what failed (a setting, a file, a diverging update).
std::vector<FoldOutcome> run_cross_validation(const config::RunConfig& run, const dataset::Dataset& data,
                                              const CvOptions& options);

}  // namespace daytrader::train
