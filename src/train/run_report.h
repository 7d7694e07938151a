#pragma once
// The training run's report, runs/NAME/report.html: one self-contained page (inline CSS and SVG,
// no scripts, nothing downloaded) with, per fold, the training curves of every seed, the
// cross-validation table (the model's test net P&L over the seeds next to the baselines), every
// seed's test figures, the saved model's significance and deflated Sharpe ratio, how it was
// chosen, and its cost and fill sensitivity table.
//
// The input is plain data, so this library does not link libtorch: the driver fills it from its
// FoldOutcomes and the seeds' metrics.csv files (train/cv_driver.h), and tests from fixtures.
// Statistics come from backtest/stats.h, computed as the driver's summary table computes them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/evaluate.h"
#include "backtest/report.h"
#include "core/result.h"
#include "exec/fill_model.h"

namespace daytrader::train {

// One line of metrics.csv: the figures of one PPO update (rl::PpoMetrics). A figure written as
// "nan" or "inf" (an explained variance without spread, an episode mean before any episode
// ended) is empty.
struct MetricsRow {
  std::int64_t iteration = 0;
  std::int64_t timesteps = 0;
  std::optional<double> fps;
  std::optional<double> learning_rate;
  std::optional<double> approx_kl;
  std::optional<double> clip_fraction;
  std::optional<double> entropy_loss;  // = -entropy
  std::optional<double> explained_variance;
  std::optional<double> policy_loss;
  std::optional<double> value_loss;
  std::optional<double> loss;
  std::int64_t n_updates = 0;
  bool early_stopped = false;
  std::int64_t episodes = 0;
  std::optional<double> ep_rew_mean;
  std::optional<double> ep_len_mean;
  std::optional<double> ep_pnl_mean;  // dollars
};

// The columns of metrics.csv, as the driver writes its header.
inline constexpr std::string_view kMetricsCsvHeader =
    "iteration,timesteps,fps,learning_rate,approx_kl,clip_fraction,entropy_loss,explained_variance,"
    "policy_loss,value_loss,loss,n_updates,early_stopped,episodes,ep_rew_mean,ep_len_mean,ep_pnl_mean";

// Parses the text of a metrics.csv; `source` names it in errors, with the line and the column:
//   runs/x/fold_1/metrics.csv: line 7, column approx_kl: "0.0x1" is not a number
// Columns are found by name in the header (every one of kMetricsCsvHeader must be there, others
// are ignored); empty lines are skipped; a header alone gives no rows; an empty text is an error.
[[nodiscard]] core::Result<std::vector<MetricsRow>> parse_metrics_csv(std::string_view text,
                                                                      const std::string& source) noexcept;
// Reads and parses a metrics.csv file; a file that cannot be read is an error naming it.
[[nodiscard]] core::Result<std::vector<MetricsRow>> read_metrics_csv(
    const std::filesystem::path& path) noexcept;

// Sessions [begin, end) of the dataset and the trade dates (days since 1970-01-01) of the first
// and the last; empty when end <= begin (a fold without a validation range).
struct SessionRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::int32_t first_trade_date = 0;
  std::int32_t last_trade_date = 0;
  [[nodiscard]] bool empty() const noexcept { return end <= begin; }
  [[nodiscard]] std::size_t sessions() const noexcept { return empty() ? 0 : end - begin; }
};

struct SeedReport {
  std::uint64_t seed = 0;
  bool saved = false;               // the fold's model, the one in fold_K/
  std::vector<MetricsRow> metrics;  // its metrics.csv, one row per PPO update
  std::string metrics_error;        // why metrics.csv could not be read, if it could not
  // On the test sessions, in backtest::kModelRun .. kOrderFlowRun order: model, always flat,
  // random actions, buy and hold, and the order-flow rule when the fold has one.
  std::vector<backtest::RunResult> test;
  std::optional<backtest::Metrics> validation;        // the model on the validation sessions
  std::vector<backtest::SensitivityRow> sensitivity;  // the test runs under other costs and fills
};

struct FoldReport {
  std::size_t index = 1;  // 1-based, as in fold_K
  SessionRange train;
  SessionRange validation;  // empty without a validation range
  SessionRange test;
  std::string order_flow;  // the order-flow baseline in words (order_flow_words)
  std::string selection;   // how the saved seed was chosen, in words
  std::vector<SeedReport> seeds;
};

struct RunReport {
  std::string name;         // the run folder, e.g. "runs/quickstart"
  std::string data_path;    // the dataset trained on
  std::string config_text;  // the effective run.toml
  exec::LimitFillRule fill_rule = exec::LimitFillRule::kThrough;
  std::int64_t slippage_ticks = 0;
  core::Cents commission_per_side_cents = 0;
  std::vector<FoldReport> folds;
};

// The order-flow baseline of a fold in words: "delta_share beyond 0.75 sd, the best of 8
// thresholds on the training sessions (+$1,250.00 there)", or why there is none.
[[nodiscard]] std::string order_flow_words(const std::optional<backtest::OrderFlowRule>& rule);

// The whole page. Any input renders: no folds, a seed without test runs or metrics, a model that
// never trades, missing figures (left out, never printed as "nan").
[[nodiscard]] std::string render_run_report(const RunReport& report);

}  // namespace daytrader::train
