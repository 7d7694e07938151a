#pragma once
// Every fold's test sessions end to end: the walk-forward, out-of-sample record of a run. One
// fold's test range is often too short to judge (12 days at the main job's scale); the folds
// together are the series a trader would have had, trading each fold's saved model on the
// sessions after its training. The summary table of `train` and report.html both show it.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "backtest/evaluate.h"
#include "backtest/report.h"
#include "backtest/stats.h"

namespace daytrader::train {

// The test runs of one seed of one fold, in backtest::kModelRun .. kOrderFlowRun order.
using SeedTests = std::vector<backtest::RunResult>;

struct WalkForwardFold {
  std::vector<const SeedTests*> seeds;  // every seed's test runs, in the fold's seed order
  std::size_t saved = 0;                // index in seeds of the fold's saved model
};

struct WalkForwardSeries {
  std::string name;                   // "saved models", "always flat", ...
  double net_cents = 0;               // over every day
  std::vector<double> daily_cents;    // the days, fold after fold
  backtest::DailyStats stats;
};

struct WalkForwardSummary {
  std::size_t folds = 0;
  std::size_t days = 0;
  WalkForwardSeries saved;  // each fold's saved model on its own test range
  // Seed index i (the i-th seed of every fold) across the folds: one series per index, when
  // every fold has more than one seed (min over the folds of their seed counts).
  std::vector<WalkForwardSeries> seed_indices;
  std::optional<backtest::SeedDistribution> seed_index_nets;
  int significantly_positive = 0;  // seed indices with p < 0.05 and t > 0
  int significantly_negative = 0;  // p < 0.05 and t < 0
  // The saved seed's baselines over the same days: flat, random, buy and hold, order flow (when
  // every fold has the rule).
  std::vector<WalkForwardSeries> baselines;
};

// Empty folds or a fold without seeds give a summary with folds = 0.
[[nodiscard]] WalkForwardSummary summarize_walk_forward(const std::vector<WalkForwardFold>& folds);

}  // namespace daytrader::train
