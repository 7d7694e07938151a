#include "backtest/evaluate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <unistd.h>

#include "../env/env_test_util.h"
#include "backtest/folds.h"
#include "exec/order_manager.h"

namespace daytrader::backtest {
namespace {

using namespace date::literals;
using env::testing::Ohlc;
using env::testing::SessionBars;

// A fold as train [tb, te), validation [vb, ve), test [sb, se).
Fold fold(std::size_t tb, std::size_t te, std::size_t vb, std::size_t ve, std::size_t sb, std::size_t se) {
  Fold f;
  f.train_begin = tb;
  f.train_end = te;
  f.validation_begin = vb;
  f.validation_end = ve;
  f.test_begin = sb;
  f.test_end = se;
  return f;
}

void expect_folds(const core::Result<std::vector<Fold>>& folds, const std::vector<Fold>& expected,
                  const std::string& what) {
  ASSERT_TRUE(folds) << what << ": " << folds.error().message;
  ASSERT_EQ(folds->size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Fold& g = (*folds)[i];
    const Fold& e = expected[i];
    EXPECT_EQ(std::tie(g.train_begin, g.train_end, g.validation_begin, g.validation_end, g.test_begin, g.test_end),
              std::tie(e.train_begin, e.train_end, e.validation_begin, e.validation_end, e.test_begin, e.test_end))
        << what << " fold " << i;
  }
}

TEST(TimeSeriesSplit, MatchesScikitLearnOnWholeSessions) {
  struct Row { std::size_t n; int folds; int gap; std::vector<Fold> expected; };
  const Row rows[] = {
      {20, 2, 0, {fold(0, 8, 0, 0, 8, 14), fold(0, 14, 0, 0, 14, 20)}},
      {20, 2, 1, {fold(0, 7, 0, 0, 8, 14), fold(0, 13, 0, 0, 14, 20)}},
      {10, 3, 0, {fold(0, 4, 0, 0, 4, 6), fold(0, 6, 0, 0, 6, 8), fold(0, 8, 0, 0, 8, 10)}},
      {5, 1, 0, {fold(0, 3, 0, 0, 3, 5)}},
  };
  for (const Row& r : rows) expect_folds(time_series_split(r.n, r.folds, r.gap), r.expected, std::to_string(r.n));
  EXPECT_FALSE(time_series_split(2, 2, 0));
  EXPECT_FALSE(time_series_split(9, 2, 3));
  EXPECT_FALSE(time_series_split(9, 0, 0));
}

TEST(WalkForwardSplit, ExpandingAndRollingWindowsWithPurgeAndValidation) {
  struct Row { const char* what; std::size_t n; SplitPlan plan; std::vector<Fold> expected; };
  const auto plan = [](int folds, int purge, int validation, WindowScheme scheme, int window) {
    SplitPlan p;
    p.folds = folds;
    p.purge_sessions = purge;
    p.validation_sessions = validation;
    p.scheme = scheme;
    p.train_sessions = window;
    return p;
  };
  constexpr auto kE = WindowScheme::kExpanding;
  constexpr auto kR = WindowScheme::kRolling;
  const Row rows[] = {
      {"expanding, validation 2", 20, plan(2, 0, 2, kE, 0), {fold(0, 6, 6, 8, 8, 14), fold(0, 12, 12, 14, 14, 20)}},
      {"expanding, purge 1, validation 2", 20, plan(2, 1, 2, kE, 0),
       {fold(0, 4, 5, 7, 8, 14), fold(0, 10, 11, 13, 14, 20)}},
      {"rolling, first fold's length", 20, plan(2, 0, 0, kR, 0), {fold(0, 8, 0, 0, 8, 14), fold(6, 14, 0, 0, 14, 20)}},
      {"rolling, 5 sessions", 40, plan(4, 0, 0, kR, 5),
       {fold(3, 8, 0, 0, 8, 16), fold(11, 16, 0, 0, 16, 24), fold(19, 24, 0, 0, 24, 32), fold(27, 32, 0, 0, 32, 40)}},
      {"rolling, purge 1, validation 1", 40, plan(4, 1, 1, kR, 4),
       {fold(1, 5, 6, 7, 8, 16), fold(9, 13, 14, 15, 16, 24), fold(17, 21, 22, 23, 24, 32),
        fold(25, 29, 30, 31, 32, 40)}},
  };
  for (const Row& r : rows) expect_folds(walk_forward_split(r.n, r.plan), r.expected, r.what);
  // Every fold trains before what it is judged on, with the purge in between.
  const auto folds = walk_forward_split(40, plan(4, 2, 3, kR, 0));
  ASSERT_TRUE(folds);
  for (const Fold& f : *folds) {
    EXPECT_LT(f.train_begin, f.train_end);
    EXPECT_EQ(f.validation_begin, f.train_end + 2);
    EXPECT_EQ(f.test_begin, f.validation_end + 2);
  }
}

TEST(WalkForwardSplit, RefusesPlansThatLeaveARangeEmpty) {
  SplitPlan p;
  p.folds = 2;
  p.validation_sessions = 8;  // 20 sessions: fold 1 has 8 before its test range
  EXPECT_FALSE(walk_forward_split(20, p));
  p.validation_sessions = 2;
  p.scheme = WindowScheme::kRolling;
  p.train_sessions = 7;  // only 6 left for training in fold 1
  const auto r = walk_forward_split(20, p);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("train_sessions is 7, but fold 1 has only 6"), std::string::npos);
  p.train_sessions = -1;
  EXPECT_FALSE(walk_forward_split(20, p));
  EXPECT_TRUE(parse_window_scheme("rolling"));
  EXPECT_FALSE(parse_window_scheme("sliding"));
}

// Two days: the first rises 40 ticks through the window, the second falls 40 ticks.
std::vector<SessionBars> trending_days() {
  std::vector<SessionBars> days;
  for (auto [d, step] : {std::pair{date::sys_days(2024_y / 3 / 5), 2}, {date::sys_days(2024_y / 3 / 6), -2}}) {
    SessionBars s{d, {8 * 60 + 24, 0}, {}};
    std::int64_t p = 20000;
    for (int k = 0; k < 22; ++k) {
      s.bars.push_back(Ohlc{p, p + std::max(step, 0), p + std::min(step, 0), p + step});
      p += step;
    }
    days.push_back(s);
  }
  return days;
}

TEST(Evaluate, BaselinesGoThroughTheSameEnvironment) {
  env::testing::TempDataset data(trending_days());
  env::EnvConfig config = env::testing::test_config();
  config.mode = env::EpisodeMode::kEvaluate;
  config.commission_per_side_cents = 225;
  const auto flat = evaluate("always flat", env::testing::make_data(data.get(), config), always_flat());
  EXPECT_EQ(flat.metrics.trades, 0);
  EXPECT_EQ(flat.metrics.net_pnl_cents, 0);
  EXPECT_EQ(flat.days.size(), 2u);
  EXPECT_EQ(flat.equity.front().equity_cents, 5'000'000);
  EXPECT_EQ(flat.equity.back().equity_cents, 5'000'000);

  // Buy and hold: day 1 buys at 08:31's open and is flattened at the window's end, day 2 the same.
  const auto hold = evaluate("buy and hold", env::testing::make_data(data.get(), buy_and_hold_config(config)),
                             buy_and_hold());
  ASSERT_EQ(hold.trades.size(), 2u);
  EXPECT_GT(hold.trades[0].net_cents, 0);
  EXPECT_LT(hold.trades[1].net_cents, 0);
  EXPECT_EQ(hold.trades[0].reason, exec::ExitReason::kEndOfDay);
  EXPECT_EQ(hold.metrics.net_pnl_cents, hold.trades[0].net_cents + hold.trades[1].net_cents);
  // The equity curve is cumulative across days and ends at the ledger's total.
  EXPECT_EQ(hold.equity.back().equity_cents - hold.equity.front().equity_cents, hold.metrics.net_pnl_cents);
  ASSERT_EQ(hold.days.size(), 2u);
  EXPECT_EQ(hold.days[0].pnl_cents, hold.trades[0].net_cents);

  const auto random = evaluate("random", env::testing::make_data(data.get(), config), random_actions(7));
  const auto random_again = evaluate("random", env::testing::make_data(data.get(), config), random_actions(7));
  EXPECT_EQ(random.trades, random_again.trades);  // seeded
  EXPECT_EQ(random.equity.back().equity_cents - random.equity.front().equity_cents, random.metrics.net_pnl_cents);

  // All four together: the model first, then the baselines, each as run alone above.
  const auto runs = evaluate_with_baselines(data.get(), *env::fit_scaler(data.get(), config, features::ScalerKind::kMinMax),
                                            env::testing::make_data(data.get(), config), always_flat(), 7);
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].name, "model");
  EXPECT_EQ((*runs)[0].trades, flat.trades);
  EXPECT_EQ((*runs)[1].name, "always flat");
  EXPECT_EQ((*runs)[2].trades, random.trades);
  EXPECT_EQ((*runs)[3].name, "buy and hold");
  EXPECT_EQ((*runs)[3].trades, hold.trades);
}

// The order-flow rule on two trending days whose one feature, delta_share, is +1 on the rising
// day and -1 on the falling one: standardised, every bar is exactly one standard deviation out.
TEST(OrderFlowBaseline, FitsItsThresholdOnTheGivenSessionsAndFollowsTheFlow) {
  const auto days = trending_days();
  const auto bars = env::testing::make_bars(days);
  std::vector<float> features;
  for (const auto& b : bars) features.push_back(b.close > b.open ? 1.0F : -1.0F);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("dt_flow_" + std::to_string(::getpid()) + ".dtds")).string();
  dataset::DatasetMeta meta;
  meta.source = "flow-test";
  ASSERT_TRUE(dataset::write_dataset(path, meta, features::FeatureSet("flowtest", 1, {"delta_share"}, {}), bars,
                                     features));
  auto data = dataset::Dataset::open(path);
  std::filesystem::remove(path);  // mapped: stays readable
  ASSERT_TRUE(data) << data.error().message;

  env::EnvConfig config = env::testing::test_config();
  config.mode = env::EpisodeMode::kEvaluate;
  const auto scaler = env::fit_scaler(*data, config, features::ScalerKind::kStandard);
  ASSERT_TRUE(scaler) << scaler.error().message;
  const auto env_data = env::testing::make_data(*data, config, &*scaler);

  ASSERT_EQ(order_flow_column({"delta", "x", "delta_share"}), 2u) << "delta_share is preferred";
  ASSERT_EQ(order_flow_column({"x", "delta"}), 1u);
  EXPECT_FALSE(order_flow_column({"close", "index"}));
  EXPECT_FALSE(fit_order_flow_rule({"close"}, env_data));

  // Each threshold evaluated on its own: the fit keeps the best, the highest of equals.
  std::optional<std::pair<float, core::Cents>> best;
  for (const float t : kOrderFlowThresholds) {
    const auto net = evaluate("flow", env_data, order_flow(OrderFlowRule{"delta_share", 0, t, 0, 0})).metrics.net_pnl_cents;
    if (!best || net >= best->second) best = {t, net};
  }
  const auto rule = fit_order_flow_rule({"delta_share"}, env_data);
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(rule->feature, "delta_share");
  EXPECT_EQ(rule->threshold, best->first);
  EXPECT_EQ(rule->fit_net_pnl_cents, best->second);
  EXPECT_GT(rule->fit_trades, 0) << "one standard deviation passes thresholds up to 1";
  EXPECT_GT(rule->fit_net_pnl_cents, 0) << "long on the rising day, short on the falling one";
  EXPECT_LE(rule->threshold, 1.0F);

  // The decision: long above +threshold, short below -threshold, nothing between.
  const Decide d = order_flow(OrderFlowRule{"delta_share", 1, 0.5F, 0, 0});
  EXPECT_EQ(d(std::vector<float>{9.0F, 0.5F}), static_cast<std::int32_t>(exec::Action::kBuyEntry));
  EXPECT_EQ(d(std::vector<float>{9.0F, -0.7F}), static_cast<std::int32_t>(exec::Action::kShortEntry));
  EXPECT_EQ(d(std::vector<float>{9.0F, 0.49F}), static_cast<std::int32_t>(exec::Action::kNothing));

  // Shown as the fifth run, after the model and the other baselines.
  const auto runs = evaluate_with_baselines(*data, *scaler, env_data, always_flat(), 7, *rule);
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 5u);
  EXPECT_EQ((*runs)[kOrderFlowRun].name, "order flow");
  EXPECT_EQ((*runs)[kOrderFlowRun].metrics.net_pnl_cents, rule->fit_net_pnl_cents);
}

TEST(CostSensitivity, ReRunsEveryRunAtEachSlippageAndFillRule) {
  env::testing::TempDataset data(trending_days());
  env::EnvConfig config = env::testing::test_config();
  config.mode = env::EpisodeMode::kEvaluate;
  const auto scaler = env::fit_scaler(data.get(), config, features::ScalerKind::kMinMax);
  ASSERT_TRUE(scaler);
  const auto rows = cost_sensitivity(data.get(), *scaler, config, buy_and_hold(), 7);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 6u);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& r = (*rows)[i];
    EXPECT_EQ(r.fill_rule, i < 3 ? exec::LimitFillRule::kThrough : exec::LimitFillRule::kTouch);
    EXPECT_EQ(r.slippage_ticks, static_cast<std::int64_t>(i % 3));
    ASSERT_EQ(r.net_pnl_cents.size(), 4u);
    EXPECT_EQ(r.net_pnl_cents[kFlatRun], 0);
    // Each row is what evaluate_with_baselines gives under that setting.
    env::EnvConfig c = config;
    c.slippage_ticks = r.slippage_ticks;
    c.fill_rule = r.fill_rule;
    const auto runs = evaluate_with_baselines(data.get(), *scaler, env::testing::make_data(data.get(), c, &*scaler),
                                              buy_and_hold(), 7);
    ASSERT_TRUE(runs);
    for (std::size_t k = 0; k < runs->size(); ++k)
      EXPECT_EQ(r.net_pnl_cents[k], (*runs)[k].metrics.net_pnl_cents) << "row " << i << " run " << k;
  }
  // Buy and hold: two trades, each a market entry and a market exit, so every extra tick of
  // slippage costs 4 x $12.50, under either fill rule (it has no target).
  for (std::size_t i = 1; i < rows->size(); ++i) {
    if (i == 3) continue;
    EXPECT_EQ((*rows)[i - 1].net_pnl_cents[kBuyAndHoldRun] - (*rows)[i].net_pnl_cents[kBuyAndHoldRun], 5'000) << i;
  }
  EXPECT_EQ((*rows)[0].net_pnl_cents[kBuyAndHoldRun], (*rows)[3].net_pnl_cents[kBuyAndHoldRun]);
  const std::string table = format_sensitivity_table(*rows, {"model", "always flat", "random actions", "buy and hold"});
  EXPECT_NE(table.find("2 ticks   touch"), std::string::npos) << table;
  EXPECT_NE(table.find("buy and hold"), std::string::npos) << table;
}

}  // namespace
}  // namespace daytrader::backtest
