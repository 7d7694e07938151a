// Every fold's test days end to end: the series are the folds' days in order, the saved seed's
// per fold, the seed indices across folds, and the baselines of the saved seed.

#include "train/walk_forward.h"

#include <gtest/gtest.h>

#include <cmath>

namespace daytrader::train {
namespace {

// A seed's test runs: the model's days, then flat, random, buy and hold with fixed days.
SeedTests seed_runs(std::vector<core::Cents> model_days) {
  const auto run = [](const char* name, const std::vector<core::Cents>& days) {
    backtest::RunResult r;
    r.name = name;
    for (std::size_t i = 0; i < days.size(); ++i) {
      r.days.push_back(backtest::DayResult{static_cast<std::int32_t>(19'800 + i), days[i], 1});
      r.metrics.net_pnl_cents += days[i];
    }
    return r;
  };
  const std::vector<core::Cents> zeros(model_days.size(), 0);
  std::vector<core::Cents> random(model_days.size(), -1000);
  random.back() = -3000;
  return {run("model", model_days), run("always flat", zeros), run("random actions", random),
          run("buy and hold", std::vector<core::Cents>(model_days.size(), 500))};
}

TEST(WalkForward, JoinsTheSavedModelsDaysFoldAfterFold) {
  const SeedTests a0 = seed_runs({100, 200}), a1 = seed_runs({-50, 10});
  const SeedTests b0 = seed_runs({300, -100, 40}), b1 = seed_runs({20, 20, 30});
  const auto w = summarize_walk_forward({WalkForwardFold{{&a0, &a1}, 1}, WalkForwardFold{{&b0, &b1}, 0}});
  EXPECT_EQ(w.folds, 2u);
  EXPECT_EQ(w.days, 5u);
  // Saved: seed 1 of fold 1, seed 0 of fold 2.
  EXPECT_EQ(w.saved.daily_cents, (std::vector<double>{-50, 10, 300, -100, 40}));
  EXPECT_DOUBLE_EQ(w.saved.net_cents, 200);
  ASSERT_TRUE(w.saved.stats.mean);
  EXPECT_DOUBLE_EQ(*w.saved.stats.mean, 40);
  // Seed index 0 across folds: a0 then b0; index 1: a1 then b1.
  ASSERT_EQ(w.seed_indices.size(), 2u);
  EXPECT_DOUBLE_EQ(w.seed_indices[0].net_cents, 540);
  EXPECT_DOUBLE_EQ(w.seed_indices[1].net_cents, 30);
  ASSERT_TRUE(w.seed_index_nets);
  EXPECT_DOUBLE_EQ(w.seed_index_nets->median, 285);
  // Baselines of the saved seeds over the same days, in order.
  ASSERT_EQ(w.baselines.size(), 3u);  // no order-flow rule in these folds
  EXPECT_EQ(w.baselines[0].name, "flat");
  EXPECT_DOUBLE_EQ(w.baselines[0].net_cents, 0);
  EXPECT_DOUBLE_EQ(w.baselines[1].net_cents, -1000 - 3000 - 1000 - 1000 - 3000);
  EXPECT_DOUBLE_EQ(w.baselines[2].net_cents, 2500);
}

TEST(WalkForward, CountsSignificantSeedIndicesBySign) {
  // Index 0 wins about 100 a day with a little noise (significant), index 1 loses likewise,
  // index 2 is noise around zero.
  const SeedTests up0 = seed_runs({100, 110, 90, 105}), up1 = seed_runs({95, 100, 115, 98});
  const SeedTests dn0 = seed_runs({-100, -110, -90, -105}), dn1 = seed_runs({-95, -100, -115, -98});
  const SeedTests no0 = seed_runs({100, -100, 50, -60}), no1 = seed_runs({-20, 30, -10, 5});
  const auto w = summarize_walk_forward(
      {WalkForwardFold{{&up0, &dn0, &no0}, 0}, WalkForwardFold{{&up1, &dn1, &no1}, 0}});
  EXPECT_EQ(w.days, 8u);
  EXPECT_EQ(w.significantly_positive, 1);
  EXPECT_EQ(w.significantly_negative, 1);
}

TEST(WalkForward, OneSeedHasNoSeedIndicesAndNoFoldsNothing) {
  const SeedTests a = seed_runs({1, 2}), b = seed_runs({3});
  const auto w = summarize_walk_forward({WalkForwardFold{{&a}, 0}, WalkForwardFold{{&b}, 0}});
  EXPECT_EQ(w.days, 3u);
  EXPECT_TRUE(w.seed_indices.empty());
  EXPECT_FALSE(w.seed_index_nets);
  EXPECT_EQ(summarize_walk_forward({}).folds, 0u);
}

}  // namespace
}  // namespace daytrader::train
