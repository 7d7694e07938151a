#include "backtest/evaluate.h"

#include <gtest/gtest.h>

#include "../env/env_test_util.h"
#include "backtest/folds.h"

namespace daytrader::backtest {
namespace {

using namespace date::literals;
using env::testing::Ohlc;
using env::testing::SessionBars;

TEST(TimeSeriesSplit, MatchesScikitLearnOnWholeSessions) {
  struct Row { std::size_t n; int folds; int gap; std::vector<Fold> expected; };
  const Row rows[] = {
      {20, 2, 0, {{0, 8, 8, 14}, {0, 14, 14, 20}}},
      {20, 2, 1, {{0, 7, 8, 14}, {0, 13, 14, 20}}},
      {10, 3, 0, {{0, 4, 4, 6}, {0, 6, 6, 8}, {0, 8, 8, 10}}},
      {5, 1, 0, {{0, 3, 3, 5}}},
  };
  for (const Row& r : rows) {
    auto folds = time_series_split(r.n, r.folds, r.gap);
    ASSERT_TRUE(folds) << r.n;
    ASSERT_EQ(folds->size(), r.expected.size());
    for (std::size_t i = 0; i < r.expected.size(); ++i) {
      EXPECT_EQ((*folds)[i].train_begin, r.expected[i].train_begin) << r.n << " fold " << i;
      EXPECT_EQ((*folds)[i].train_end, r.expected[i].train_end) << r.n << " fold " << i;
      EXPECT_EQ((*folds)[i].test_begin, r.expected[i].test_begin) << r.n << " fold " << i;
      EXPECT_EQ((*folds)[i].test_end, r.expected[i].test_end) << r.n << " fold " << i;
    }
  }
  EXPECT_FALSE(time_series_split(2, 2, 0));
  EXPECT_FALSE(time_series_split(9, 2, 3));
  EXPECT_FALSE(time_series_split(9, 0, 0));
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

}  // namespace
}  // namespace daytrader::backtest
