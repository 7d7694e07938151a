#pragma once
// One TOML file per run: the environment, PPO and training settings, parsed once into plain
// structs with defaults. Unknown keys and bad values are errors that cite the file, line and
// column; `--set section.key=value` overrides apply before validation.
//
//   [env]    window_start = "08:30", target_ticks = 10, slippage_ticks = 1, commission_per_side = 2.25 ...
//   [ppo]    n_steps = 2048, batch_size = 64, learning_rate = 3e-4, seed = 1 ...
//   [train]  folds = 2, gap_sessions = 0, window = "expanding", seeds = 1, scaler = "minmax"

#include <string>
#include <vector>

#include "backtest/folds.h"
#include "core/result.h"
#include "env/env_config.h"
#include "features/scaler.h"
#include "rl/ppo_config.h"

namespace daytrader::config {

struct TrainSettings {
  int folds = 2;                  // walk-forward folds (backtest/folds.h)
  int gap_sessions = 0;           // the purge: whole sessions left out between training and what judges it
  backtest::WindowScheme window = backtest::WindowScheme::kExpanding;
  int train_sessions = 0;         // rolling windows: sessions per training range (0 = fold 1's)
  int validation_sessions = 0;    // last sessions before each test range, for choices (the saved seed)
  int seeds = 1;                  // PPO runs per fold, seeds ppo.seed, ppo.seed + 1, ...
  features::ScalerKind scaler = features::ScalerKind::kMinMax;
  bool deterministic_eval = true;  // evaluate with argmax actions (SB3's evaluate_policy default)
  bool operator==(const TrainSettings&) const = default;
};

struct RunConfig {
  env::EnvConfig env;
  rl::PpoConfig ppo;
  TrainSettings train;
};

// The fold layout of `settings`.
[[nodiscard]] backtest::SplitPlan split_plan(const TrainSettings& settings);

// Reads `path` (empty: defaults only), applies `overrides` ("ppo.n_steps=256"), validates.
[[nodiscard]] core::Result<RunConfig> load_run_config(const std::string& path,
                                                      const std::vector<std::string>& overrides);
// Same from text; `source` names it in messages.
[[nodiscard]] core::Result<RunConfig> parse_run_config(std::string_view text, const std::string& source,
                                                       const std::vector<std::string>& overrides);

// The effective configuration as TOML, saved beside every model and report; it parses back to
// the same RunConfig.
[[nodiscard]] std::string to_toml(const RunConfig& config);

}  // namespace daytrader::config
