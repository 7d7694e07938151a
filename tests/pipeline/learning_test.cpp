// The agent has something real to learn: on the default synthetic market (`daytrader generate`:
// 20 sessions, seed 1), PPO trained with the main job's settings (configs/quickstart.toml) on the
// first 14 sessions beats always-flat and random actions on the last 6 after the environment's
// costs and with the conservative `through` fill rule, for most of five seeds. Not one picked
// seed: a majority, and the failure message shows every seed next to the baselines.
//
// The settings were chosen on another market of the same generator (seed 7), never on these
// sessions (README, "Does the agent learn?").

#include <gtest/gtest.h>

#include <iostream>

#include "trained_market.h"

namespace daytrader {
namespace {

using testing::SeedResult;

TEST(Learning, MostSeedsBeatFlatAndRandomAfterCostsUnderTheThroughRule) {
  const testing::MarketDataset market(gen::GeneratorConfig{}, "learning");
  ASSERT_EQ(market.get().sessions().size(), 20u);
  std::vector<SeedResult> results;
  for (std::uint64_t seed = 0; seed < 5; ++seed)
    results.push_back(testing::train_and_test(market.get(), 14, exec::LimitFillRule::kThrough, seed));
  std::cout << testing::describe(results);
  int beat_flat = 0, beat_random = 0;
  for (const auto& r : results) {
    beat_flat += r.model().metrics.net_pnl_cents > r.flat().metrics.net_pnl_cents ? 1 : 0;
    beat_random += r.model().metrics.net_pnl_cents > r.random().metrics.net_pnl_cents ? 1 : 0;
  }
  EXPECT_GE(beat_flat, 3) << testing::describe(results);
  EXPECT_GE(beat_random, 3) << testing::describe(results);
}

}  // namespace
}  // namespace daytrader
