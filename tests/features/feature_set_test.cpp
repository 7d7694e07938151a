#include "features/feature_set.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "features/footprint_v1.h"

namespace daytrader::features {
namespace {

// Pinned: the hash of "footprint" v1 with the default config. If this changes, every model and
// data set built before stops loading, so a change here must come with a version bump and a note
// in docs/features.md. The value was computed independently (a few lines of Python following
// the byte layout in docs/features.md), not copied from this implementation's output.
constexpr std::uint64_t kFootprintV1DefaultHash = 0xe7cd9e0ddb765bcbULL;

FeatureSet footprint(const FeatureConfig& config = {}) {
  auto set = FeatureSet::by_name("footprint", config);
  EXPECT_TRUE(set.has_value()) << (set ? "" : set.error().message);
  return std::move(set).value();
}

TEST(FeatureSet, FootprintV1HasTheDocumentedColumnsInOrder) {
  const std::vector<std::string> expected = {
      "range_ticks",
      "body_ticks",
      "upper_wick_ticks",
      "lower_wick_ticks",
      "volume",
      "trades",
      "delta",
      "delta_share",
      "session_cum_delta",
      "close_position",
      "close_minus_session_open_ticks",
      "close_minus_vwap_ticks",
      "close_minus_prev_high_ticks",
      "close_minus_prev_low_ticks",
      "close_minus_session_high_ticks",
      "close_minus_session_low_ticks",
      "close_minus_poc_ticks",
      "poc_volume_share",
      "close_minus_hvn_ticks",
      "hvn_volume_share",
      "close_minus_lvn_ticks",
      "lvn_volume_share",
      "close_minus_vah_ticks",
      "close_minus_val_ticks",
      "buy_imbalances",
      "sell_imbalances",
      "stacked_buy_imbalances",
      "stacked_sell_imbalances",
      "unfinished_high",
      "unfinished_low",
      "return_1_ticks",
      "return_5_ticks",
      "return_15_ticks",
      "return_30_ticks",
      "volume_rel_30",
      "minutes_since_rth_open",
  };
  const FeatureSet set = footprint();
  EXPECT_EQ(set.name(), "footprint");
  EXPECT_EQ(set.version(), 1);
  EXPECT_EQ(set.columns(), expected);
  EXPECT_EQ(set.size(), 36u);
  EXPECT_EQ(set.column_index("delta"), 6u);
  EXPECT_EQ(set.column_index("minutes_since_rth_open"), 35u);
  EXPECT_EQ(set.column_index("no_such_column"), std::nullopt);
}

TEST(FeatureSet, HashOfFootprintV1IsPinned) {
  const FeatureSet set = footprint();
  EXPECT_EQ(set.hash(), kFootprintV1DefaultHash);
  EXPECT_EQ(set.hash_hex(), "0xe7cd9e0ddb765bcb");
  EXPECT_EQ(footprint().hash(), set.hash());  // same inputs, same hash, every time
}

TEST(FeatureSet, HashFollowsTheDocumentedByteLayout) {
  // FNV-1a 64 over "daytrader.feature_set\0x\0" "1\0" "1\0" "a\0" "0\0", computed in Python.
  EXPECT_EQ(FeatureSet("x", 1, {"a"}, {}).hash(), 0xd7fdc8bf4517c81bULL);
}

TEST(FeatureSet, HashChangesWithEverythingThatChangesTheNumbers) {
  const FeatureSet base = footprint();
  auto columns = base.columns();
  auto renamed = columns;
  renamed[4] = "volume_contracts";
  auto swapped = columns;
  std::swap(swapped[0], swapped[1]);
  auto shorter = columns;
  shorter.pop_back();
  const auto params = base.parameters();

  struct Row {
    std::string name;
    FeatureSet set;
  };
  const auto with_config = [](auto change) {
    FeatureConfig c;
    change(c);
    return FeatureSet::by_name("footprint", c).value();
  };
  const std::vector<Row> rows = {
      {"version bumped", FeatureSet("footprint", 2, columns, params)},
      {"name changed", FeatureSet("footprint2", 1, columns, params)},
      {"column renamed", FeatureSet("footprint", 1, renamed, params)},
      {"columns reordered", FeatureSet("footprint", 1, swapped, params)},
      {"column dropped", FeatureSet("footprint", 1, shorter, params)},
      {"imbalance ratio", with_config([](auto& c) { c.profile.imbalance_ratio = 2.5; })},
      {"imbalance minimum", with_config([](auto& c) { c.profile.imbalance_min_volume = 5; })},
      {"value area percent", with_config([](auto& c) { c.profile.value_area_percent = 68; })},
      {"stacked run", with_config([](auto& c) { c.profile.stacked_min_run = 4; })},
      {"rth open", with_config([](auto& c) { c.rth_open = {8 * 60 + 31, 0}; })},
  };
  EXPECT_EQ(FeatureSet("footprint", 1, columns, params).hash(), base.hash());
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_NE(row.set.hash(), base.hash());
  }
}

TEST(FeatureSet, AcceptsDataBuiltWithTheSameSet) {
  EXPECT_TRUE(footprint().check_compatible(footprint()).has_value());
}

TEST(FeatureSet, RefusesDataBuiltWithAnotherSetAndSaysWhatDiffers) {
  const FeatureSet model = footprint();
  auto renamed = model.columns();
  renamed[4] = "volume_contracts";
  FeatureConfig other_ratio;
  other_ratio.profile.imbalance_ratio = 2.5;
  const FeatureSet v2("footprint", 2, model.columns(), model.parameters());
  const FeatureSet ratio = FeatureSet::by_name("footprint", other_ratio).value();
  const FeatureSet column("footprint", 1, renamed, model.parameters());

  struct Row {
    std::string name;
    const FeatureSet& data;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"another version", v2,
       "model was trained on feature set footprint v1 (hash 0xe7cd9e0ddb765bcb); data was built "
       "with feature set footprint v2 (hash " + v2.hash_hex() + "): the versions differ"},
      {"another parameter", ratio,
       "model was trained on feature set footprint v1 (hash 0xe7cd9e0ddb765bcb); data was built "
       "with feature set footprint v1 (hash " + ratio.hash_hex() +
           "): parameter profile.imbalance_ratio is 3.000000 vs 2.500000"},
      {"another column", column,
       "model was trained on feature set footprint v1 (hash 0xe7cd9e0ddb765bcb); data was built "
       "with feature set footprint v1 (hash " + column.hash_hex() +
           "): column 4 is volume vs volume_contracts"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const core::Status status = model.check_compatible(row.data);
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().message, row.message);
  }
}

TEST(FeatureSet, ByNameRejectsUnknownNamesAndInvalidConfigs) {
  const auto unknown = FeatureSet::by_name("orderbook");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "feature set \"orderbook\" is not registered; known: footprint");

  FeatureConfig bad;
  bad.profile.imbalance_min_volume = 0;
  const auto invalid = FeatureSet::by_name("footprint", bad);
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().message, "features.profile.imbalance_min_volume: 0 must be >= 1");

  EXPECT_EQ(FeatureSet::registered_names(), std::vector<std::string>{"footprint"});
}

TEST(FeatureSet, DescribesNameVersionHashParametersAndColumns) {
  const std::string text = footprint().describe();
  EXPECT_EQ(text.rfind("feature set footprint v1 (hash 0xe7cd9e0ddb765bcb), 36 columns\n", 0), 0u)
      << text;
  EXPECT_NE(text.find("  profile.imbalance_ratio = 3.000000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  rth_open = 08:30:00\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    0 range_ticks\n"), std::string::npos) << text;
  EXPECT_NE(text.find("   35 minutes_since_rth_open\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace daytrader::features
