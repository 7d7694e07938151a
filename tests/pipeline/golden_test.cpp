// Golden file: bars, studies and features of a small hand-made tick sequence, pinned as CSV in
// tests/data/golden/. Any change to bars or features shows up as a diff to review; a deliberate
// change regenerates the file with DT_UPDATE_GOLDEN=1 (and bumps the feature-set version when the
// features move).

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "bars/footprint_builder.h"
#include "features/feature_pipeline.h"

namespace daytrader {
namespace {

using namespace std::chrono_literals;

const std::string kGolden = std::string(DAYTRADER_TEST_DATA_DIR) + "/golden/footprint_v1_bars.csv";

// Three sessions of a few bars each, with ties, imbalances, gaps and a DST change (2024-03-10).
std::vector<market::Trade> tick_sequence() {
  const auto& cal = core::SessionCalendar::cme_globex();
  std::vector<market::Trade> trades;
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // a fixed LCG keeps the sequence independent of <random>
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  const date::local_days days[] = {date::local_days(date::year(2024) / 3 / 7), date::local_days(date::year(2024) / 3 / 8),
                                   date::local_days(date::year(2024) / 3 / 11)};
  std::int64_t price = 20400;
  for (const auto day : days) {
    for (int bar = 0; bar < 12; ++bar) {
      const auto start = cal.to_utc(day, 8h + 30min + std::chrono::minutes(bar));
      const int n = 3 + static_cast<int>(next() % 25);
      for (int k = 0; k < n; ++k) {
        price += static_cast<std::int64_t>(next() % 5) - 2;
        const auto size = 1 + next() % 40;
        const bool at_ask = (next() % 100) < (bar % 3 == 0 ? 75U : 40U);
        trades.push_back({start + std::chrono::milliseconds(k * (59'000 / n)), core::Ticks(price), size,
                          at_ask ? 0 : size, at_ask ? size : 0, 1});
      }
    }
  }
  return trades;
}

std::string render() {
  const auto& cal = core::SessionCalendar::cme_globex();
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60}, cal);
  features::FeaturePipeline pipeline(features::FeatureConfig{}, cal);
  const auto& set = pipeline.feature_set();
  std::vector<float> row(set.size());
  std::ostringstream out;
  out << "open_time_utc,open,high,low,close,volume,bid_volume,ask_volume,trades,levels,delta,cum_delta,"
         "session_open,prev_high,prev_low,vwap";
  for (const auto& c : set.columns()) out << ',' << c;
  out << '\n';
  auto emit = [&](const bars::FootprintBar& b) {
    pipeline.on_bar(b, row);
    const auto& s = b.studies;
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.9g}", core::format_utc(b.open_time),
                       b.open.count(), b.high.count(), b.low.count(), b.close.count(), b.volume, b.bid_volume,
                       b.ask_volume, b.num_trades, b.levels.size(), s.delta, s.cum_delta, s.session_open.count(),
                       s.prev_high.count(), s.prev_low.count(), s.vwap);
    for (float v : row) out << fmt::format(",{:.9g}", v);
    out << '\n';
  };
  for (const auto& t : tick_sequence())
    if (auto bar = builder.on_trade(t)) emit(*bar);
  if (auto bar = builder.flush()) emit(*bar);
  return out.str();
}

TEST(Golden, BarsStudiesAndFeaturesMatchTheReviewedFile) {
  const std::string now = render();
  if (const char* update = std::getenv("DT_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(kGolden, std::ios::binary) << now;
    GTEST_SKIP() << "rewrote " << kGolden << "; review the diff";
  }
  std::ifstream in(kGolden, std::ios::binary);
  ASSERT_TRUE(in) << kGolden << " is missing; create it with DT_UPDATE_GOLDEN=1";
  const std::string expected{std::istreambuf_iterator<char>(in), {}};
  std::istringstream a(expected), b(now);
  std::string la, lb;
  for (int line = 1; std::getline(a, la); ++line) {
    ASSERT_TRUE(std::getline(b, lb)) << "output ends before line " << line;
    ASSERT_EQ(lb, la) << "line " << line << " of " << kGolden;
  }
  EXPECT_FALSE(std::getline(b, lb)) << "output has more lines than the golden file";
}

}  // namespace
}  // namespace daytrader
