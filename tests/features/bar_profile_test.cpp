#include "features/bar_profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bar_fixtures.h"

namespace daytrader::features {
namespace {

using testing::bar_of;
using testing::describe_levels;
using testing::L;

// ---------------------------------------------------------------- POC / HVN / LVN

struct NodesRow {
  std::string name;
  std::vector<std::pair<std::int64_t, std::uint32_t>> price_volume;  // ascending prices
  std::int64_t poc, hvn, lvn;
  std::uint64_t poc_volume, hvn_volume, lvn_volume;
};

bars::FootprintBar bar_of_volumes(const std::vector<std::pair<std::int64_t, std::uint32_t>>& pv) {
  bars::FootprintBar b = bar_of({});
  for (const auto& [price, volume] : pv)
    b.levels.push_back({core::Ticks(price), volume, 0, volume, 1});
  return b;
}

std::vector<std::pair<std::int64_t, std::uint32_t>> repeating_pattern(std::int64_t first_price,
                                                                      std::size_t n,
                                                                      std::vector<std::uint32_t> pattern) {
  std::vector<std::pair<std::int64_t, std::uint32_t>> pv;
  for (std::size_t i = 0; i < n; ++i)
    pv.emplace_back(first_price + static_cast<std::int64_t>(i), pattern[i % pattern.size()]);
  return pv;
}

TEST(BarProfile, PicksPocHvnLvnWithTheOriginalTieRules) {
  const std::vector<NodesRow> rows = {
      {"distinct volumes", {{100, 5}, {101, 9}, {102, 3}, {103, 7}, {104, 1}}, 101, 103, 104, 9, 7, 1},
      {"single level is POC, HVN and LVN", {{100, 5}}, 100, 100, 100, 5, 5, 5},
      {"two levels", {{100, 2}, {101, 5}}, 101, 100, 100, 5, 2, 2},
      {"two levels tie for the max: higher is POC, lower is HVN",
       {{100, 8}, {101, 3}, {102, 8}, {103, 2}}, 102, 100, 103, 8, 8, 2},
      {"three-way max tie: the two highest are POC and HVN",
       {{100, 9}, {101, 9}, {102, 9}, {103, 1}}, 102, 101, 103, 9, 9, 1},
      {"all levels equal: top is POC, next down HVN, bottom LVN",
       {{100, 4}, {101, 4}, {102, 4}, {103, 4}}, 103, 102, 100, 4, 4, 4},
      {"HVN tie below a unique POC: higher price wins",
       {{100, 4}, {101, 10}, {102, 4}, {103, 2}}, 101, 102, 103, 10, 4, 2},
      {"min tie: lowest price is LVN", {{100, 1}, {101, 5}, {102, 1}}, 101, 102, 100, 5, 1, 1},
      {"HVN equal to LVN volume when only two volumes exist",
       {{100, 1}, {101, 1}, {102, 6}}, 102, 101, 100, 6, 1, 1},
      // Beyond 16 levels the original's unstable sort could pick any of the tied levels.
      {"20 levels with repeated ties stay stable", repeating_pattern(200, 20, {3, 7, 7, 1}),
       218, 217, 203, 7, 7, 1},
      {"33 levels, all equal", repeating_pattern(500, 33, {2}), 532, 531, 500, 2, 2, 2},
  };
  for (const auto& row : rows) {
    const auto bar = bar_of_volumes(row.price_volume);
    const BarProfile p = compute_profile(bar, ProfileConfig{});
    SCOPED_TRACE(row.name + ": levels " + describe_levels(bar.levels));
    EXPECT_TRUE(p.has_levels);
    EXPECT_EQ(p.poc_price.count(), row.poc);
    EXPECT_EQ(p.hvn_price.count(), row.hvn);
    EXPECT_EQ(p.lvn_price.count(), row.lvn);
    EXPECT_EQ(p.poc_volume, row.poc_volume);
    EXPECT_EQ(p.hvn_volume, row.hvn_volume);
    EXPECT_EQ(p.lvn_volume, row.lvn_volume);
  }
}

// The definition itself, written the way the original did it (rows ascending by price, then a
// sort by volume) but with a stable sort.
struct Reference {
  std::int64_t poc, hvn, lvn;
};
Reference reference_nodes(const bars::FootprintBar& bar) {
  std::vector<bars::PriceLevel> sorted = bar.levels;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.volume < b.volume; });
  const std::size_t n = sorted.size();
  return {sorted[n - 1].price.count(), sorted[n >= 2 ? n - 2 : 0].price.count(),
          sorted[0].price.count()};
}

TEST(BarProfile, MatchesAStableSortOnRandomBarsFullOfTies) {
  std::mt19937 rng(20240315);  // fixed seed: the same bars on every run
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
    const std::uint32_t max_volume = std::uniform_int_distribution<std::uint32_t>(1, 4)(rng);
    bars::FootprintBar bar = bar_of({});
    std::int64_t price = 1000;
    for (std::size_t i = 0; i < n; ++i) {
      price += std::uniform_int_distribution<std::int64_t>(1, 2)(rng);  // some gaps
      const auto v = std::uniform_int_distribution<std::uint32_t>(1, max_volume)(rng);
      bar.levels.push_back({core::Ticks(price), v, 0, v, 1});
    }
    const BarProfile p = compute_profile(bar, ProfileConfig{});
    const Reference r = reference_nodes(bar);
    ASSERT_EQ(p.poc_price.count(), r.poc) << describe_levels(bar.levels);
    ASSERT_EQ(p.hvn_price.count(), r.hvn) << describe_levels(bar.levels);
    ASSERT_EQ(p.lvn_price.count(), r.lvn) << describe_levels(bar.levels);
  }
}

TEST(BarProfile, UsesTotalVolumeIncludingUnclassifiedTrades) {
  // 101 has less at bid + ask than 100 but more in total.
  const auto bar = bar_of({{100, 3, 3}, {101, 2, 2, 4}});
  const BarProfile p = compute_profile(bar, ProfileConfig{});
  EXPECT_EQ(p.poc_price.count(), 101);
  EXPECT_EQ(p.poc_volume, 8u);
  EXPECT_EQ(p.total_volume, 14u);
}

TEST(BarProfile, FlagsABarWithoutLevelsAndLeavesEverythingZero) {
  const BarProfile p = compute_profile(bar_of({}), ProfileConfig{});
  EXPECT_FALSE(p.has_levels);
  EXPECT_EQ(p, BarProfile{});
}

// ---------------------------------------------------------------- value area

struct ValueAreaRow {
  std::string name;
  std::vector<std::pair<std::int64_t, std::uint32_t>> price_volume;
  std::uint32_t percent;
  std::int64_t val, vah;
  std::uint64_t volume;
};

TEST(BarProfile, GrowsTheValueAreaFromThePocOneLevelAtATime) {
  const std::vector<ValueAreaRow> rows = {
      {"single level", {{100, 5}}, 70, 100, 100, 5},
      {"POC alone holds the target", {{100, 1}, {101, 8}, {102, 1}}, 70, 101, 101, 8},
      // 70 % of 10 is exactly 7: an integer target does not round up to 8 and add a level.
      {"POC exactly at the target stops", {{100, 3}, {101, 7}}, 70, 101, 101, 7},
      // total 12, target ceil(8.4) = 9: 5, +3 above (3 > 2), +2 below (2 > 1) = 10
      {"larger side first", {{100, 1}, {101, 2}, {102, 5}, {103, 3}, {104, 1}}, 70, 101, 103, 10},
      // total 12, target 9: 8, tie 1 vs 1 adds both = 10 (one side only would stop at 9)
      {"tie adds both sides in one step", {{100, 1}, {101, 1}, {102, 8}, {103, 1}, {104, 1}}, 70,
       101, 103, 10},
      {"tie adds both sides, then continues",
       {{100, 2}, {101, 3}, {102, 4}, {103, 3}, {104, 1}}, 90, 100, 103, 12},
      {"POC at the bottom grows upward only", {{100, 6}, {101, 2}, {102, 1}, {103, 1}}, 70, 100,
       101, 8},
      {"POC at the top grows downward only", {{100, 1}, {101, 1}, {102, 2}, {103, 6}}, 70, 102,
       103, 8},
      // 104 is the next traded level above 101; the empty 102 and 103 are not compared as 0.
      {"untraded prices are skipped", {{100, 1}, {101, 6}, {104, 3}}, 70, 101, 104, 9},
      {"100 percent is the whole bar", {{100, 1}, {101, 6}, {102, 1}, {103, 1}}, 100, 100, 103, 9},
      // total 10, target 5: POC 101 holds 4, then 3 below > 2 above
      {"configurable percent", {{100, 3}, {101, 4}, {102, 2}, {103, 1}}, 50, 100, 101, 7},
  };
  for (const auto& row : rows) {
    const auto bar = bar_of_volumes(row.price_volume);
    ProfileConfig config;
    config.value_area_percent = row.percent;
    const BarProfile p = compute_profile(bar, config);
    SCOPED_TRACE(row.name + ": levels " + describe_levels(bar.levels) +
                 " percent=" + std::to_string(row.percent));
    EXPECT_EQ(p.value_area_low.count(), row.val);
    EXPECT_EQ(p.value_area_high.count(), row.vah);
    EXPECT_EQ(p.value_area_volume, row.volume);
  }
}

// ---------------------------------------------------------------- imbalances

struct ImbalanceRow {
  std::string name;
  std::vector<L> levels;
  double ratio;
  std::uint32_t min_volume;
  std::uint32_t buy, sell;
};

bars::FootprintBar bar_of_levels(const std::vector<L>& ls) {
  bars::FootprintBar b = bar_of({});
  for (const L& l : ls) b.levels.push_back({core::Ticks(l.price), l.bid, l.ask, l.bid + l.ask, 1});
  return b;
}

TEST(BarProfile, CountsDiagonalImbalancesAgainstTheRatioAndTheMinimum) {
  const std::vector<ImbalanceRow> rows = {
      {"ask exactly 3x the bid one tick below is a buy imbalance", {{100, 10, 0}, {101, 0, 30}},
       3.0, 10, 1, 0},
      {"ask just under 3x is not", {{100, 10, 0}, {101, 0, 29}}, 3.0, 10, 0, 0},
      {"bid exactly 3x the ask one tick above is a sell imbalance", {{100, 30, 0}, {101, 0, 10}},
       3.0, 10, 0, 1},
      {"bid just under 3x is not", {{100, 29, 0}, {101, 0, 10}}, 3.0, 10, 0, 0},
      // A lone level has untraded neighbours on both sides: only the minimum decides.
      {"untraded neighbours count as zero", {{100, 12, 10}}, 3.0, 10, 1, 1},
      {"below the minimum against zero is not an imbalance", {{100, 9, 9}}, 3.0, 10, 0, 0},
      // 102's neighbour one tick below is the untraded 101, not 100 with its 50 at the bid.
      {"a gap makes the neighbour zero", {{100, 50, 0}, {102, 0, 10}}, 3.0, 10, 1, 1},
      // Horizontally 101 is 13 ask vs 1 bid, but the diagonal compares 13 with 100's 40 bid;
      // and 100's 40 bid is compared with 101's 13 ask (40 >= 39), not with its own ask.
      {"the comparison is diagonal, not horizontal", {{100, 40, 0}, {101, 1, 13}}, 3.0, 10, 0, 1},
      {"ratio and minimum are configurable", {{100, 2, 0}, {101, 0, 3}}, 1.5, 2, 1, 0},
      {"a level can be both", {{100, 0, 1}, {101, 30, 30}, {102, 1, 0}}, 3.0, 10, 1, 1},
  };
  for (const auto& row : rows) {
    const auto bar = bar_of_levels(row.levels);
    ProfileConfig config;
    config.imbalance_ratio = row.ratio;
    config.imbalance_min_volume = row.min_volume;
    const BarProfile p = compute_profile(bar, config);
    SCOPED_TRACE(row.name + ": levels " + describe_levels(bar.levels) +
                 " ratio=" + std::to_string(row.ratio) + " min=" + std::to_string(row.min_volume));
    EXPECT_EQ(p.buy_imbalances, row.buy);
    EXPECT_EQ(p.sell_imbalances, row.sell);
  }
}

struct StackedRow {
  std::string name;
  std::vector<L> levels;
  std::uint32_t min_run;
  std::uint32_t buy, sell, stacked_buy, stacked_sell;
};

// With ratio 3 and minimum 2: a level with ask >= 2 and no bid below is a buy imbalance, one with
// bid >= 2 and no ask above is a sell imbalance.
TEST(BarProfile, CountsRunsOfStackedImbalancesOnConsecutiveTicks) {
  const std::vector<StackedRow> rows = {
      {"2 in a row is not stacked", {{100, 0, 5}, {101, 0, 5}}, 3, 2, 0, 0, 0},
      {"3 in a row is one stack", {{100, 0, 5}, {101, 0, 5}, {102, 0, 5}}, 3, 3, 0, 1, 0},
      {"4 in a row is still one stack", {{100, 0, 5}, {101, 0, 5}, {102, 0, 5}, {103, 0, 5}}, 3,
       4, 0, 1, 0},
      {"7 in a row is one stack",
       {{100, 0, 5}, {101, 0, 5}, {102, 0, 5}, {103, 0, 5}, {104, 0, 5}, {105, 0, 5}, {106, 0, 5}},
       3, 7, 0, 1, 0},
      // 103 has ask 1 < minimum 2 and no bid, so it breaks the run.
      {"a level without the imbalance splits runs",
       {{100, 0, 5}, {101, 0, 5}, {102, 0, 5}, {103, 0, 1}, {104, 0, 5}, {105, 0, 5}, {106, 0, 5}},
       3, 6, 0, 2, 0},
      {"a split leaving 2 and 2 is no stack",
       {{100, 0, 5}, {101, 0, 5}, {102, 0, 1}, {103, 0, 5}, {104, 0, 5}}, 3, 4, 0, 0, 0},
      {"an untraded tick splits runs", {{100, 0, 5}, {101, 0, 5}, {103, 0, 5}, {104, 0, 5}}, 3, 4,
       0, 0, 0},
      {"an untraded tick between two runs of 3",
       {{100, 0, 5}, {101, 0, 5}, {102, 0, 5}, {104, 0, 5}, {105, 0, 5}, {106, 0, 5}}, 3, 6, 0, 2,
       0},
      {"sell stacks mirror buy stacks", {{100, 5, 0}, {101, 5, 0}, {102, 5, 0}}, 3, 0, 3, 0, 1},
      {"a sell level does not continue a buy run", {{100, 0, 5}, {101, 0, 5}, {102, 5, 0}}, 3, 2,
       1, 0, 0},
      {"run length is configurable", {{100, 0, 5}, {101, 0, 5}}, 2, 2, 0, 1, 0},
      {"run length 1 counts every isolated imbalance", {{100, 0, 5}, {102, 0, 5}}, 1, 2, 0, 2, 0},
  };
  for (const auto& row : rows) {
    const auto bar = bar_of_levels(row.levels);
    ProfileConfig config;
    config.imbalance_min_volume = 2;
    config.stacked_min_run = row.min_run;
    const BarProfile p = compute_profile(bar, config);
    SCOPED_TRACE(row.name + ": levels " + describe_levels(bar.levels) +
                 " min_run=" + std::to_string(row.min_run));
    EXPECT_EQ(p.buy_imbalances, row.buy);
    EXPECT_EQ(p.sell_imbalances, row.sell);
    EXPECT_EQ(p.stacked_buy_imbalances, row.stacked_buy);
    EXPECT_EQ(p.stacked_sell_imbalances, row.stacked_sell);
  }
}

// ---------------------------------------------------------------- unfinished auctions

struct UnfinishedRow {
  std::string name;
  std::vector<L> levels;
  bool high, low;
};

TEST(BarProfile, FlagsUnfinishedAuctionsWhenBothSidesTradedAtAnExtreme) {
  const std::vector<UnfinishedRow> rows = {
      {"both sides at high and low", {{100, 1, 1}, {101, 5, 5}, {102, 1, 1}}, true, true},
      {"only buyers at the high: finished", {{100, 1, 1}, {101, 5, 5}, {102, 0, 3}}, false, true},
      {"only sellers at the low: finished", {{100, 3, 0}, {101, 5, 5}, {102, 1, 1}}, true, false},
      {"only sellers at the high: finished", {{100, 1, 1}, {102, 4, 0}}, false, true},
      {"only buyers at the low: finished", {{100, 0, 4}, {102, 1, 1}}, true, false},
      {"one level with both sides is both", {{100, 2, 1}}, true, true},
      {"one level with one side is neither", {{100, 0, 3}}, false, false},
  };
  for (const auto& row : rows) {
    const auto bar = bar_of_levels(row.levels);
    const BarProfile p = compute_profile(bar, ProfileConfig{});
    SCOPED_TRACE(row.name + ": levels " + describe_levels(bar.levels));
    EXPECT_EQ(p.unfinished_high, row.high);
    EXPECT_EQ(p.unfinished_low, row.low);
  }
}

// ---------------------------------------------------------------- config

TEST(BarProfile, RejectsConfigsOutsideTheirRangesNamingFieldAndValue) {
  struct Row {
    std::string name;
    ProfileConfig config;
    std::string message;  // empty: valid
  };
  const auto with = [](auto change) {
    ProfileConfig c;
    change(c);
    return c;
  };
  const std::vector<Row> rows = {
      {"defaults", ProfileConfig{}, ""},
      {"percent 0", with([](auto& c) { c.value_area_percent = 0; }),
       "features.profile.value_area_percent: 0 is outside 1..100"},
      {"percent 101", with([](auto& c) { c.value_area_percent = 101; }),
       "features.profile.value_area_percent: 101 is outside 1..100"},
      {"ratio below 1", with([](auto& c) { c.imbalance_ratio = 0.5; }),
       "features.profile.imbalance_ratio: 0.5 is outside 1..1e6"},
      {"ratio NaN", with([](auto& c) { c.imbalance_ratio = std::numeric_limits<double>::quiet_NaN(); }),
       "features.profile.imbalance_ratio: nan is outside 1..1e6"},
      {"min volume 0", with([](auto& c) { c.imbalance_min_volume = 0; }),
       "features.profile.imbalance_min_volume: 0 must be >= 1"},
      {"min run 0", with([](auto& c) { c.stacked_min_run = 0; }),
       "features.profile.stacked_min_run: 0 must be >= 1"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const core::Status status = validate(row.config);
    EXPECT_EQ(status.has_value(), row.message.empty());
    if (!status) {
      EXPECT_EQ(status.error().message, row.message);
    }
  }
}

}  // namespace
}  // namespace daytrader::features
