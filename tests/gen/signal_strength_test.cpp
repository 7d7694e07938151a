// signal_strength: 1 is the default market byte for byte (market_generator_test.cpp pins it),
// 0 a market whose order flow predicts nothing, with the same orders. Measured with
// gen::measure_predictability, the figures `daytrader generate --stats` prints.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <date/date.h>

#include "gen/market_generator.h"
#include "gen/market_stats.h"

namespace daytrader::gen {
namespace {

std::vector<scid::Record> generate_records(const GeneratorConfig& config) {
  auto gen = MarketGenerator::create(config);
  EXPECT_TRUE(gen.has_value()) << gen.error().message;
  std::vector<scid::Record> records;
  while (gen.has_value() && !gen->done()) (void)gen->next_session(records);
  return records;
}

GeneratorConfig config_at(double strength, int sessions, double orders = 20'000, std::uint64_t seed = 1) {
  GeneratorConfig c;
  c.signal_strength = strength;
  c.sessions = sessions;
  c.orders_per_session = orders;
  c.seed = seed;
  return c;
}

double z(const Estimate& e) { return e.value / e.se; }

TEST(SignalStrength, ChangesOnlyPricesNeverTheOrders) {
  const std::vector<scid::Record> base = generate_records(config_at(1.0, 2));
  for (double strength : {0.0, 0.5, 2.0}) {
    const std::vector<scid::Record> other = generate_records(config_at(strength, 2));
    ASSERT_EQ(other.size(), base.size()) << strength;
    std::size_t time_or_volume = 0, price_differs = 0;
    for (std::size_t i = 0; i < base.size(); ++i) {
      const scid::Record& a = base[i];
      const scid::Record& b = other[i];
      if (a.date_time != b.date_time || a.total_volume != b.total_volume || a.bid_volume != b.bid_volume ||
          a.ask_volume != b.ask_volume || a.num_trades != b.num_trades || std::memcmp(&a.open, &b.open, 4) != 0)
        ++time_or_volume;
      price_differs += a.close != b.close;
    }
    EXPECT_EQ(time_or_volume, 0U) << "strength " << strength;
    EXPECT_GT(price_differs, base.size() / 2) << "strength " << strength;
  }
}

TEST(SignalStrength, OneIsTheDefault) {
  GeneratorConfig explicit_one = config_at(1.0, 1);
  GeneratorConfig defaulted = explicit_one;
  defaulted.signal_strength = GeneratorConfig{}.signal_strength;
  EXPECT_EQ(GeneratorConfig{}.signal_strength, 1.0);
  const auto a = generate_records(explicit_one);
  const auto b = generate_records(defaulted);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(scid::Record)));
}

TEST(SignalStrength, IsValidatedNamingTheField) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (double bad : {-0.1, kMaxSignalStrength + 0.01, std::numeric_limits<double>::quiet_NaN(), kInf, -kInf}) {
    GeneratorConfig c;
    c.signal_strength = bad;
    const core::Status s = validate(c);
    ASSERT_FALSE(s.has_value()) << bad;
    EXPECT_NE(s.error().message.find("signal_strength"), std::string::npos) << s.error().message;
    EXPECT_FALSE(MarketGenerator::create(c).has_value()) << bad;
  }
  for (double good : {0.0, 0.5, 1.0, kMaxSignalStrength}) {
    GeneratorConfig c;
    c.signal_strength = good;
    EXPECT_TRUE(validate(c).has_value()) << good;
  }
}

// 60 sessions at a fifth of the default order count (about 80 k one-minute bars, 23 k in RTH).
class NullAndDefaultMarkets : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (int k = 0; k < 3; ++k)
      stats_[k] = new PredictabilityStats(measure_predictability(generate_records(config_at(kStrengths[k], 60))));
  }
  static void TearDownTestSuite() {
    for (auto*& s : stats_) {
      delete s;
      s = nullptr;
    }
  }
  static constexpr double kStrengths[3] = {0.0, 0.5, 1.0};
  static PredictabilityStats* stats_[3];
};
PredictabilityStats* NullAndDefaultMarkets::stats_[3] = {nullptr, nullptr, nullptr};

struct Figure {
  int h;
  bool rth;
};
constexpr Figure kFigures[] = {{1, false}, {5, false}, {1, true}, {3, true}, {5, true}, {10, true}};

TEST_F(NullAndDefaultMarkets, AtZeroOrderFlowPredictsNothing) {
  const PredictabilityStats& s = *stats_[0];
  EXPECT_EQ(s.sessions, 60);
  EXPECT_GT(s.rth_minutes, 60U * 389U);
  for (const Figure f : kFigures) {
    const Estimate r = s.correlation(f.h, f.rth);
    ASSERT_TRUE(std::isfinite(r.se)) << f.h;
    EXPECT_GT(r.se, 0.0);
    EXPECT_LT(std::fabs(z(r)), 3.0) << (f.rth ? "RTH" : "all") << " h=" << f.h << ": " << r.value << " ± " << r.se;
  }
  EXPECT_LT(std::fabs(z(s.past_return)), 3.0) << s.past_return.value << " ± " << s.past_return.se;
  EXPECT_LT(std::fabs(z(s.next_minute_mean)), 3.0);
  // The rule gains nothing before costs, so it loses them.
  EXPECT_GT(s.follow.gross_ticks.n, 1000U);
  EXPECT_LT(std::fabs(z(s.follow.gross_ticks)), 3.0) << s.follow.gross_ticks.value << " ± " << s.follow.gross_ticks.se;
  EXPECT_LT(std::fabs(z(s.random.gross_ticks)), 3.0);
  EXPECT_LT(s.follow.net_ticks.value, 0.0);
}

TEST_F(NullAndDefaultMarkets, AtOneItIsClearlyThereAndHalfwayAtAHalf) {
  const PredictabilityStats& zero = *stats_[0];
  const PredictabilityStats& half = *stats_[1];
  const PredictabilityStats& one = *stats_[2];
  for (const Figure f : kFigures) {
    const Estimate r1 = one.correlation(f.h, f.rth);
    EXPECT_GT(z(r1), 6.0) << (f.rth ? "RTH" : "all") << " h=" << f.h << ": " << r1.value << " ± " << r1.se;
    EXPECT_GT(half.correlation(f.h, f.rth).value, zero.correlation(f.h, f.rth).value + 3 * r1.se);
    EXPECT_LT(half.correlation(f.h, f.rth).value, r1.value - 3 * r1.se);
  }
  EXPECT_GT(one.correlation(5, true).value, 0.15);
  EXPECT_GT(z(one.follow.net_ticks), 3.0) << one.follow.net_ticks.value << " ± " << one.follow.net_ticks.se;
  EXPECT_GT(half.follow.gross_ticks.value, zero.follow.gross_ticks.value);
  EXPECT_GT(one.follow.gross_ticks.value, half.follow.gross_ticks.value);
}

TEST(SignalStrength, TheMarketStillLooksLikeAMarket) {
  // At the default scale: the orders are the same (ChangesOnlyPricesNeverTheOrders), the
  // 1-minute volatility within 10 %, and the sessions' ranges smaller but of the same kind: a
  // null market cannot trend with the flow, and those trends were the predictability.
  PredictabilityStats stats[2];
  double median_range[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    auto gen = MarketGenerator::create(config_at(k == 0 ? 0.0 : 1.0, 10, GeneratorConfig{}.orders_per_session));
    ASSERT_TRUE(gen.has_value());
    std::vector<scid::Record> records;
    std::vector<double> ranges;
    while (!gen->done()) {
      const SessionSummary s = gen->next_session(records);
      ranges.push_back(static_cast<double>((s.high - s.low).count()) * 0.25);
    }
    std::sort(ranges.begin(), ranges.end());
    median_range[k] = (ranges[4] + ranges[5]) / 2;
    stats[k] = measure_predictability(records);
  }
  EXPECT_NEAR(stats[0].next_minute_sd / stats[1].next_minute_sd, 1.0, 0.1);
  EXPECT_NEAR(stats[0].rth_next_minute_sd / stats[1].rth_next_minute_sd, 1.0, 0.1);
  EXPECT_EQ(stats[0].minutes, stats[1].minutes);
  EXPECT_GT(median_range[0], 0.5 * median_range[1]);
  EXPECT_LT(median_range[0], 1.1 * median_range[1]);
  EXPECT_GT(median_range[0], 20.0);  // points
}

TEST(SignalStrength, TheMaximumStrengthGeneratesAValidMarket) {
  // Above 1/(1 - immediate_impact_fraction) all of the impact is delayed.
  const auto records = generate_records(config_at(kMaxSignalStrength, 2));
  ASSERT_FALSE(records.empty());
  std::size_t bad = 0;
  for (const scid::Record& r : records) bad += !(r.low > 0 && r.low < r.high && (r.close == r.low || r.close == r.high));
  EXPECT_EQ(bad, 0U);
  const PredictabilityStats s = measure_predictability(records);
  EXPECT_GT(s.correlation(5, true).value, 0.0);
}

TEST(MarketStats, JackknifeNeedsTwoSessionsAndSkipsRecordsWithoutVolume) {
  std::vector<scid::Record> records = generate_records(config_at(1.0, 1, 5'000));
  const PredictabilityStats one = measure_predictability(records);
  EXPECT_EQ(one.sessions, 1);
  EXPECT_TRUE(std::isfinite(one.correlation(5, true).value));
  EXPECT_TRUE(std::isnan(one.correlation(5, true).se));
  const std::string text = format_predictability(one);
  EXPECT_NE(text.find("± n/a"), std::string::npos) << text;

  scid::Record empty = records[records.size() / 2];
  empty.total_volume = empty.bid_volume = empty.ask_volume = 0;
  records.insert(records.begin() + static_cast<std::ptrdiff_t>(records.size() / 2), empty);
  const PredictabilityStats same = measure_predictability(records);
  EXPECT_EQ(same.minutes, one.minutes);
  EXPECT_EQ(same.correlation(5, true).value, one.correlation(5, true).value);
  EXPECT_EQ(same.follow.net_ticks.n, one.follow.net_ticks.n);
  EXPECT_TRUE(measure_predictability({}).imbalance.size() == 6U);
}

}  // namespace
}  // namespace daytrader::gen
