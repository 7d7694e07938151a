#include "features/scaler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace daytrader::features {
namespace {

FeatureSet three_columns() {
  return FeatureSet("test", 1, {"a", "b", "c"}, {{"k", "1"}});
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Scaler, MinMaxMapsTheFittedRangeToZeroOneAndConstantColumnsToZero) {
  // Columns: a in [2, 6], b in [-1, 1], c constant 5.
  const std::vector<float> fit_rows = {2, -1, 5, 4, 0, 5, 6, 1, 5};
  auto s = Scaler::fit(ScalerKind::kMinMax, three_columns(), fit_rows);
  ASSERT_TRUE(s) << s.error().message;
  std::vector<float> x = {2, -1, 5, 4, 0, 5, 6, 1, 5, 8, 3, 7};
  ASSERT_TRUE(s->transform(x));
  const std::vector<float> expected = {0, 0, 0, 0.5F, 0.5F, 0, 1, 1, 0, 1.5F, 2, 0};
  EXPECT_EQ(x, expected);
  EXPECT_EQ(s->rows_fitted(), 3u);
  EXPECT_TRUE(s->is_constant(2));
}

TEST(Scaler, StandardGivesZScoresWithPopulationStdAndConstantColumnsToZero) {
  // a: 1, 2, 3 -> mean 2, population std sqrt(2/3); b constant.
  const FeatureSet fs("test", 1, {"a", "b"}, {});
  const std::vector<float> rows = {1, 7, 2, 7, 3, 7};
  auto s = Scaler::fit(ScalerKind::kStandard, fs, rows);
  ASSERT_TRUE(s) << s.error().message;
  std::vector<float> x = rows;
  ASSERT_TRUE(s->transform(x));
  const double sd = std::sqrt(2.0 / 3.0);
  EXPECT_FLOAT_EQ(x[0], static_cast<float>(-1 / sd));
  EXPECT_FLOAT_EQ(x[2], 0.0F);
  EXPECT_FLOAT_EQ(x[4], static_cast<float>(1 / sd));
  EXPECT_EQ(x[1], 0.0F);
  EXPECT_EQ(x[3], 0.0F);
  EXPECT_EQ(x[5], 0.0F);
  EXPECT_DOUBLE_EQ(s->first_stat()[0], 2.0);
  EXPECT_DOUBLE_EQ(s->second_stat()[0], sd);
}

TEST(Scaler, RejectsNonFiniteInputNamingRowAndColumn) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Row {
    std::vector<float> values;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {{1, 2, 3, 4, nan, 6}, "row 1, column 1 (b): value nan is not finite"},
      {{inf, 2, 3, 4, 5, 6}, "row 0, column 0 (a): value inf is not finite"},
      {{1, 2, 3, 4, 5, -inf}, "row 1, column 2 (c): value -inf is not finite"},
  };
  const std::vector<float> good = {0, 0, 0, 1, 1, 1};
  auto fitted = Scaler::fit(ScalerKind::kMinMax, three_columns(), good);
  ASSERT_TRUE(fitted);
  for (const auto& r : rows) {
    auto s = Scaler::fit(ScalerKind::kStandard, three_columns(), r.values);
    ASSERT_FALSE(s);
    EXPECT_TRUE(contains(s.error().message, "scaler fit: " + r.expected)) << s.error().message;
    std::vector<float> x = r.values;
    auto st = fitted->transform(x);
    ASSERT_FALSE(st);
    EXPECT_TRUE(contains(st.error().message, "scaler transform: " + r.expected)) << st.error().message;
  }
}

TEST(Scaler, RejectsNoRowsAndPartialRows) {
  auto none = Scaler::fit(ScalerKind::kMinMax, three_columns(), {});
  ASSERT_FALSE(none);
  EXPECT_TRUE(contains(none.error().message, "no rows")) << none.error().message;
  const std::vector<float> partial = {1, 2, 3, 4};
  auto bad = Scaler::fit(ScalerKind::kMinMax, three_columns(), partial);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(contains(bad.error().message, "4 values is not a whole number of rows of 3"))
      << bad.error().message;
}

TEST(Scaler, RoundTripsThroughJsonAndTransformsBitIdentically) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> n(10.0F, 3.0F);
  const FeatureSet fs("test", 2, {"a", "b", "c", "d"}, {{"p", "0.5"}});
  std::vector<float> rows(400);
  for (auto& v : rows) v = n(rng);
  for (std::size_t r = 0; r < 100; ++r) rows[r * 4 + 3] = 1.25F;  // a constant column
  for (const auto kind : {ScalerKind::kMinMax, ScalerKind::kStandard}) {
    auto s = Scaler::fit(kind, fs, rows);
    ASSERT_TRUE(s);
    const std::string text = s->to_json();
    auto back = Scaler::from_json(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, *s);
    EXPECT_EQ(back->kind(), kind);
    EXPECT_EQ(back->feature_set(), fs);
    std::vector<float> x1 = rows, x2 = rows;
    ASSERT_TRUE(s->transform(x1));
    ASSERT_TRUE(back->transform(x2));
    EXPECT_EQ(x1, x2);
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j.at("feature_set").at("name"), "test");
    EXPECT_EQ(j.at("feature_set").at("hash"), fs.hash_hex());
    EXPECT_EQ(j.at("kind"), std::string(to_string(kind)));
  }
}

TEST(Scaler, SavesAndLoadsAFile) {
  const auto path = (std::filesystem::temp_directory_path() / "dt_scaler_test.json").string();
  const std::vector<float> rows = {0, 1, 2, 3, 4, 5};
  auto s = Scaler::fit(ScalerKind::kMinMax, three_columns(), rows);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->save(path));
  auto back = Scaler::load(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, *s);
  std::filesystem::remove(path);
  auto missing = Scaler::load(path);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(contains(missing.error().message, path + ": cannot open")) << missing.error().message;
}

TEST(Scaler, RefusesRowsOfAnotherFeatureSet) {
  const std::vector<float> rows = {0, 1, 2, 3, 4, 5};
  auto s = Scaler::fit(ScalerKind::kMinMax, three_columns(), rows);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->check_feature_set(three_columns()));
  const FeatureSet other("test", 1, {"a", "b", "c"}, {{"k", "2"}});
  auto st = s->check_feature_set(other);
  ASSERT_FALSE(st);
  EXPECT_TRUE(contains(st.error().message, "parameter k is 1 vs 2")) << st.error().message;
}

TEST(Scaler, FromJsonRejectsEditedOrMalformedFiles) {
  const std::vector<float> rows = {0, 1, 2, 3, 4, 5};
  auto s = Scaler::fit(ScalerKind::kMinMax, three_columns(), rows);
  ASSERT_TRUE(s);
  const auto good = nlohmann::json::parse(s->to_json());
  struct Row {
    std::string name;
    nlohmann::json doc;
    std::string expected;
  };
  std::vector<Row> cases;
  {
    auto j = good;
    j["feature_set"]["columns"][0] = "z";
    cases.push_back({"column renamed", j, "feature_set.hash is"});
  }
  {
    auto j = good;
    j["columns"].erase(1);
    cases.push_back({"column missing", j, "columns has 2 entries, expected 3"});
  }
  {
    auto j = good;
    j["columns"][0]["max"] = -5.0;
    cases.push_back({"max below min", j, "columns[0] (a): min 0 and max -5 are not a valid minmax fit"});
  }
  {
    auto j = good;
    j["kind"] = "robust";
    cases.push_back({"unknown kind", j, "scaler kind \"robust\" is not known"});
  }
  {
    auto j = good;
    j["format_version"] = 9;
    cases.push_back({"other version", j, "format_version is 9"});
  }
  for (const auto& c : cases) {
    auto back = Scaler::from_json(c.doc.dump(), "model/scaler.json");
    ASSERT_FALSE(back) << c.name;
    EXPECT_TRUE(contains(back.error().message, "model/scaler.json: " + c.expected))
        << c.name << ": " << back.error().message;
  }
  auto junk = Scaler::from_json("{not json", "x.json");
  ASSERT_FALSE(junk);
  EXPECT_TRUE(contains(junk.error().message, "x.json: not a valid scaler file")) << junk.error().message;
}

}  // namespace
}  // namespace daytrader::features
