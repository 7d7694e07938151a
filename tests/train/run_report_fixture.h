#pragma once
// A training run's report input without training anything: two folds, the first with three seeds
// (one chosen on validation, one that never trades, one whose curves have missing figures) and
// the order-flow baseline, the second with one seed and neither. Shared by the report's tests and
// the program that writes it for the headless-Chromium check.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "backtest/evaluate.h"
#include "train/run_report.h"

namespace daytrader::train::testing {

// The page this input gives; tests/train/CMakeLists.txt gives the DOM check the same counts.
inline constexpr int kFixtureFolds = 2;
inline constexpr int kFixtureSeeds = 4;  // rows of the seed tables, over both folds
inline constexpr int kFixtureCharts = 6 * kFixtureFolds;

inline constexpr std::int32_t kFirstTestDate = 19'800;  // 2024-03-18
inline constexpr int kTestDays = 25;

// A run on the test sessions whose day d makes `pnl(d)` cents with `trades_per_day` trades.
template <typename Pnl>
backtest::RunResult fixture_run(const std::string& name, std::int64_t trades_per_day, Pnl pnl) {
  backtest::RunResult r;
  r.name = name;
  core::Cents equity = 0, peak = 0;
  for (int d = 0; d < kTestDays; ++d) {
    const core::Cents c = pnl(d);
    r.days.push_back({kFirstTestDate + d, c, trades_per_day});
    r.metrics.net_pnl_cents += c;
    r.metrics.trades += trades_per_day;
    equity += c;
    peak = std::max(peak, equity);
    r.metrics.max_drawdown_cents = std::max(r.metrics.max_drawdown_cents, peak - equity);
  }
  r.metrics.days = kTestDays;
  return r;
}

// Deterministic noise in [-1, 1] for day d of stream k.
inline double wobble(int k, int d) {
  return std::sin(1.7 * d + 0.9 * k) * std::cos(0.37 * d * (k + 1));
}

inline std::vector<backtest::RunResult> fixture_test_runs(int k, bool trades, bool order_flow) {
  std::vector<backtest::RunResult> runs;
  runs.push_back(fixture_run("model", trades ? 3 : 0, [&](int d) {
    return trades ? static_cast<core::Cents>(std::lround(4'000 * wobble(k, d) + 900 - 300 * k)) : 0;
  }));
  runs.push_back(fixture_run("always flat", 0, [](int) { return core::Cents{0}; }));
  runs.push_back(fixture_run("random actions", 9, [&](int d) {
    return static_cast<core::Cents>(std::lround(6'000 * wobble(k + 11, d) - 1'500));
  }));
  runs.push_back(fixture_run("buy and hold", 1, [](int d) {
    return static_cast<core::Cents>(std::lround(12'000 * wobble(40, d) + 400));
  }));
  if (order_flow)
    runs.push_back(fixture_run("order flow", 4, [](int d) {
      return static_cast<core::Cents>(std::lround(3'000 * wobble(50, d) - 200));
    }));
  return runs;
}

// metrics.csv rows of a seed: `updates` PPO updates of 2048 steps.
inline std::vector<MetricsRow> fixture_metrics(int k, int updates, bool with_gaps) {
  std::vector<MetricsRow> rows;
  for (int i = 1; i <= updates; ++i) {
    MetricsRow r;
    r.iteration = i;
    r.timesteps = 2048LL * i;
    r.n_updates = 10LL * i;
    r.episodes = 2LL * i;
    const double t = static_cast<double>(i) / updates;
    r.fps = 9'000 + 100 * k;
    r.learning_rate = 3e-4;
    r.approx_kl = 0.004 + 0.01 * t * (1 + 0.3 * wobble(k, i));
    r.clip_fraction = 0.05 + 0.1 * t;
    r.entropy_loss = -1.609 + 0.6 * t + 0.02 * wobble(k + 3, i);
    r.explained_variance = -0.2 + 0.9 * t + 0.05 * wobble(k + 5, i);
    r.policy_loss = -0.01 * (1 + wobble(k + 7, i));
    r.value_loss = 40 * (1.1 - t) + 4 * wobble(k + 9, i);
    r.loss = *r.policy_loss + 0.5 * *r.value_loss;
    r.ep_rew_mean = 0.5 * (t - 0.5) + 0.1 * wobble(k, i);
    r.ep_len_mean = 360;
    r.ep_pnl_mean = 500 * (t - 0.6) + 120 * wobble(k + 1, i);
    if (with_gaps) {
      // No episode had ended yet, and an update whose values had no spread.
      if (i <= 3) r.ep_pnl_mean = r.ep_rew_mean = r.ep_len_mean = std::nullopt;
      if (i == updates / 2) r.explained_variance = std::nullopt;
    }
    rows.push_back(r);
  }
  return rows;
}

inline std::vector<backtest::SensitivityRow> fixture_sensitivity(
    const std::vector<backtest::RunResult>& runs) {
  std::vector<backtest::SensitivityRow> rows;
  for (const auto rule : {exec::LimitFillRule::kThrough, exec::LimitFillRule::kTouch})
    for (std::int64_t slip = 0; slip <= 2; ++slip) {
      backtest::SensitivityRow row{slip, rule, {}};
      for (std::size_t i = 0; i < runs.size(); ++i)
        row.net_pnl_cents.push_back(runs[i].metrics.net_pnl_cents -
                                    runs[i].metrics.trades * 1'250 * (slip - 1) +
                                    (rule == exec::LimitFillRule::kTouch ? runs[i].metrics.trades * 300 : 0));
      rows.push_back(row);
    }
  return rows;
}

inline RunReport fixture_report() {
  RunReport report;
  report.name = "runs/fixture";
  report.data_path = "data/ES-synthetic-1m.dtds";
  report.config_text = "[ppo]\nseed = 5\ntotal_timesteps = 40960\n\n[train]\nfolds = 2\nseeds = 3\n";
  report.fill_rule = exec::LimitFillRule::kThrough;
  report.slippage_ticks = 1;
  report.commission_per_side_cents = 225;

  FoldReport f1;
  f1.index = 1;
  f1.train = {0, 10, 19'780, 19'793};
  f1.validation = {10, 13, 19'794, 19'796};
  f1.test = {13, 38, kFirstTestDate, kFirstTestDate + kTestDays - 1};
  f1.order_flow =
      "delta_share beyond 0.75 sd, the best of 8 thresholds on the training sessions (+$412.50 there)";
  f1.selection = "seed 5: best net P&L on the validation sessions (2024-03-14 .. 2024-03-16), +$830.00";
  for (int s = 0; s < 3; ++s) {
    SeedReport seed;
    seed.seed = 5 + static_cast<std::uint64_t>(s);
    seed.saved = s == 0;
    seed.metrics = fixture_metrics(s, 20, s == 2);
    seed.test = fixture_test_runs(s, s != 1, true);
    backtest::Metrics v;
    v.net_pnl_cents = s == 0 ? 83'000 : s == 1 ? 0 : -12'500;
    seed.validation = v;
    if (s == 0) seed.sensitivity = fixture_sensitivity(seed.test);
    f1.seeds.push_back(seed);
  }

  FoldReport f2;
  f2.index = 2;
  f2.train = {0, 38, 19'780, 19'824};
  f2.test = {38, 63, kFirstTestDate + 40, kFirstTestDate + 40 + kTestDays - 1};
  f2.order_flow = order_flow_words(std::nullopt);
  f2.selection = "one seed, nothing chosen";
  SeedReport only;
  only.seed = 5;
  only.saved = true;
  only.metrics = fixture_metrics(3, 1, false);  // one update: a point, not a line
  only.test = fixture_test_runs(3, true, false);
  only.sensitivity = fixture_sensitivity(only.test);
  f2.seeds.push_back(only);

  report.folds = {f1, f2};
  return report;
}

}  // namespace daytrader::train::testing
