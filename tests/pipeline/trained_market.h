#pragma once
// The end-to-end tests' shared work: a synthetic market written by the generator and built into a
// dataset as `daytrader bars` does, and PPO trained on its first sessions with the main job's
// settings (configs/quickstart.toml) and judged on the rest, next to the baselines.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backtest/evaluate.h"
#include "backtest/report.h"
#include "backtest/stats.h"
#include "dataset/dataset.h"
#include "exec/fill_model.h"
#include "gen/generator_config.h"

namespace daytrader::testing {

// A generated market as a dataset in the temporary folder, removed with the object.
class MarketDataset {
 public:
  MarketDataset(const gen::GeneratorConfig& config, const std::string& name);
  ~MarketDataset();
  MarketDataset(const MarketDataset&) = delete;
  MarketDataset& operator=(const MarketDataset&) = delete;
  [[nodiscard]] const dataset::Dataset& get() const { return *data_; }

 private:
  std::string path_;
  std::optional<dataset::Dataset> data_;
};

struct SeedResult {
  std::uint64_t seed = 0;
  std::vector<backtest::RunResult> runs;  // model, always flat, random actions, buy and hold, order flow
  backtest::DailyStats model_stats;       // of the model's daily net P&L on the test sessions
  [[nodiscard]] const backtest::RunResult& model() const { return runs[backtest::kModelRun]; }
  [[nodiscard]] const backtest::RunResult& flat() const { return runs[backtest::kFlatRun]; }
  [[nodiscard]] const backtest::RunResult& random() const { return runs[backtest::kRandomRun]; }
};

// Trains PPO with configs/quickstart.toml's [env] and [ppo] (the seed replaced, the target filled
// by `rule`) on sessions [0, train_sessions) and evaluates its deterministic policy on the
// sessions after them under the same rule.
[[nodiscard]] SeedResult train_and_test(const dataset::Dataset& data, std::size_t train_sessions,
                                        exec::LimitFillRule rule, std::uint64_t seed);

// One line per seed (net P&L, trades, t-statistic) and the baselines: for failure messages.
[[nodiscard]] std::string describe(const std::vector<SeedResult>& results);

}  // namespace daytrader::testing
