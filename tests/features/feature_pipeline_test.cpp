#include "features/feature_pipeline.h"

#include <gtest/gtest.h>

#include <date/date.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "bar_fixtures.h"
#include "core/result.h"

// Count heap allocations in this test binary, to prove on_bar does not allocate once warm.
// Every non-aligned form is replaced, so that each allocation and its release go through the
// same malloc/free pair (sanitizers check that); they are out of line so that g++ does not see
// malloc and free meet inside std::allocator and warn about a new/free mismatch.
namespace {
std::atomic<std::size_t> g_allocations{0};

[[gnu::noinline]] void* counted_malloc(std::size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] void* counted_malloc_or_throw(std::size_t n) {
  if (void* p = counted_malloc(n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_malloc_or_throw(n); }
void* operator new[](std::size_t n) { return counted_malloc_or_throw(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace daytrader::features {
namespace {

using namespace std::chrono_literals;
using date::operator""_y;
using testing::bar_of;
using testing::L;

constexpr std::size_t kColumns = footprint_v1::kNumColumns;

const core::SessionCalendar& calendar() { return core::SessionCalendar::cme_globex(); }

std::int32_t days_since_epoch(date::sys_days d) {
  return static_cast<std::int32_t>(d.time_since_epoch().count());
}

std::vector<float> run(FeaturePipeline& pipeline, const bars::FootprintBar& bar) {
  std::vector<float> row(pipeline.feature_set().size());
  pipeline.on_bar(bar, row);
  return row;
}

// ---------------------------------------------------------------- every column, by hand

// Three bars: the first two RTH minutes of trade date 2024-03-14 (CDT, UTC-5; the first session
// of the data, so no previous session), then the first minute of trade date 2024-03-15's
// overnight session, a one-price bar. Profiles, worked out in docs/features.md's example:
//   A: volumes 12 15 24 32 7 at 20000..20004; POC 20003, HVN 20002, LVN 20004; value area
//      target ceil(0.7 * 90) = 63: 32, +24 below (24 > 7), +15 below (15 > 7) = 71 -> 20001..20003;
//      buy imbalance at 20003 (30 >= 3 * 4 and >= 10) only.
//   B: volumes 30 23 27 31 9 at 20001..20005; POC 20004, HVN 20001, LVN 20005; target 84:
//      31 +27 +23 +30 = 111 -> 20001..20004; sell imbalances 20001..20004 (one stack of 4),
//      buy imbalance at 20001 (15 asks against the untraded 20000); both extremes two-sided.
std::vector<bars::FootprintBar> hand_made_bars() {
  const date::sys_days d14 = 2024_y / 3 / 14;
  const date::sys_days d15 = 2024_y / 3 / 15;

  bars::FootprintBar a = bar_of({{20000, 12, 0}, {20001, 10, 5}, {20002, 4, 20}, {20003, 2, 30},
                                 {20004, 0, 7}});
  a.open_time = d14 + 13h + 30min;  // 08:30 CDT
  a.close_time = d14 + 13h + 31min;
  a.trade_date = days_since_epoch(d14);
  a.open = core::Ticks(20001);
  a.close = core::Ticks(20003);
  a.num_trades = 40;
  a.studies.cum_delta = 134;
  a.studies.session_open = core::Ticks(19990);
  a.studies.session_high = core::Ticks(20010);
  a.studies.session_low = core::Ticks(19980);
  a.studies.vwap = 19995.5;

  bars::FootprintBar b = bar_of({{20001, 15, 15}, {20002, 20, 3}, {20003, 25, 2}, {20004, 30, 1},
                                 {20005, 5, 4}});
  b.open_time = a.close_time;
  b.close_time = d14 + 13h + 32min;
  b.trade_date = a.trade_date;
  b.index_in_session = 1;
  b.open = core::Ticks(20003);
  b.close = core::Ticks(20002);
  b.num_trades = 50;
  b.studies.cum_delta = 134 - 70;
  b.studies.session_open = core::Ticks(19990);
  b.studies.session_high = core::Ticks(20010);
  b.studies.session_low = core::Ticks(19980);
  b.studies.vwap = 19996.25;

  bars::FootprintBar c = bar_of({{20006, 3, 2}});
  c.open_time = d14 + 22h;  // 17:00 CDT on the 14th opens trade date the 15th
  c.close_time = d14 + 22h + 1min;
  c.trade_date = days_since_epoch(d15);
  c.num_trades = 2;
  c.studies.cum_delta = -1;
  c.studies.session_open = core::Ticks(20006);
  c.studies.session_high = core::Ticks(20006);
  c.studies.session_low = core::Ticks(20006);
  c.studies.has_prev_session = true;
  c.studies.prev_high = core::Ticks(20010);
  c.studies.prev_low = core::Ticks(19980);
  c.studies.vwap = 20006.0;
  return {a, b, c};
}

using ExpectedRow = std::map<std::string, double>;

TEST(FeaturePipeline, ComputesEveryColumnOfAHandWorkedSequence) {
  const std::vector<ExpectedRow> expected = {
      {
          {"range_ticks", 4}, {"body_ticks", 2}, {"upper_wick_ticks", 1}, {"lower_wick_ticks", 1},
          {"volume", 90}, {"trades", 40}, {"delta", 34}, {"delta_share", 34.0 / 90},
          {"session_cum_delta", 134}, {"close_position", 0.75},
          {"close_minus_session_open_ticks", 13}, {"close_minus_vwap_ticks", 7.5},
          {"close_minus_prev_high_ticks", 0}, {"close_minus_prev_low_ticks", 0},
          {"close_minus_session_high_ticks", -7}, {"close_minus_session_low_ticks", 23},
          {"close_minus_poc_ticks", 0}, {"poc_volume_share", 32.0 / 90},
          {"close_minus_hvn_ticks", 1}, {"hvn_volume_share", 24.0 / 90},
          {"close_minus_lvn_ticks", -1}, {"lvn_volume_share", 7.0 / 90},
          {"close_minus_vah_ticks", 0}, {"close_minus_val_ticks", 2},
          {"buy_imbalances", 1}, {"sell_imbalances", 0},
          {"stacked_buy_imbalances", 0}, {"stacked_sell_imbalances", 0},
          {"unfinished_high", 0}, {"unfinished_low", 0},
          {"return_1_ticks", 0}, {"return_5_ticks", 0}, {"return_15_ticks", 0},
          {"return_30_ticks", 0}, {"volume_rel_30", 1}, {"minutes_since_rth_open", 1},
      },
      {
          {"range_ticks", 4}, {"body_ticks", -1}, {"upper_wick_ticks", 2}, {"lower_wick_ticks", 1},
          {"volume", 120}, {"trades", 50}, {"delta", -70}, {"delta_share", -70.0 / 120},
          {"session_cum_delta", 64}, {"close_position", 0.25},
          {"close_minus_session_open_ticks", 12}, {"close_minus_vwap_ticks", 5.75},
          {"close_minus_prev_high_ticks", 0}, {"close_minus_prev_low_ticks", 0},
          {"close_minus_session_high_ticks", -8}, {"close_minus_session_low_ticks", 22},
          {"close_minus_poc_ticks", -2}, {"poc_volume_share", 31.0 / 120},
          {"close_minus_hvn_ticks", 1}, {"hvn_volume_share", 30.0 / 120},
          {"close_minus_lvn_ticks", -3}, {"lvn_volume_share", 9.0 / 120},
          {"close_minus_vah_ticks", -2}, {"close_minus_val_ticks", 1},
          {"buy_imbalances", 1}, {"sell_imbalances", 4},
          {"stacked_buy_imbalances", 0}, {"stacked_sell_imbalances", 1},
          {"unfinished_high", 1}, {"unfinished_low", 1},
          {"return_1_ticks", -1}, {"return_5_ticks", 0}, {"return_15_ticks", 0},
          {"return_30_ticks", 0}, {"volume_rel_30", 120.0 / 90}, {"minutes_since_rth_open", 2},
      },
      {
          {"range_ticks", 0}, {"body_ticks", 0}, {"upper_wick_ticks", 0}, {"lower_wick_ticks", 0},
          {"volume", 5}, {"trades", 2}, {"delta", -1}, {"delta_share", -0.2},
          {"session_cum_delta", -1}, {"close_position", 0.5},
          {"close_minus_session_open_ticks", 0}, {"close_minus_vwap_ticks", 0},
          {"close_minus_prev_high_ticks", -4}, {"close_minus_prev_low_ticks", 26},
          {"close_minus_session_high_ticks", 0}, {"close_minus_session_low_ticks", 0},
          {"close_minus_poc_ticks", 0}, {"poc_volume_share", 1},
          {"close_minus_hvn_ticks", 0}, {"hvn_volume_share", 1},
          {"close_minus_lvn_ticks", 0}, {"lvn_volume_share", 1},
          {"close_minus_vah_ticks", 0}, {"close_minus_val_ticks", 0},
          {"buy_imbalances", 0}, {"sell_imbalances", 0},
          {"stacked_buy_imbalances", 0}, {"stacked_sell_imbalances", 0},
          {"unfinished_high", 1}, {"unfinished_low", 1},
          {"return_1_ticks", 4}, {"return_5_ticks", 0}, {"return_15_ticks", 0},
          {"return_30_ticks", 0}, {"volume_rel_30", 5.0 / 105},
          // 17:01 CDT on the 14th is 15 h 29 min before 08:30 CDT on the 15th.
          {"minutes_since_rth_open", -929},
      },
  };
  FeaturePipeline pipeline(FeatureConfig{}, calendar());
  const FeatureSet& set = pipeline.feature_set();
  const auto bars = hand_made_bars();
  ASSERT_EQ(bars.size(), expected.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const std::vector<float> row = run(pipeline, bars[i]);
    ASSERT_EQ(expected[i].size(), kColumns) << "bar " << i << ": the table must cover every column";
    for (const auto& [column, value] : expected[i]) {
      const auto index = set.column_index(column);
      ASSERT_TRUE(index.has_value()) << column;
      EXPECT_FLOAT_EQ(row[*index], static_cast<float>(value)) << "bar " << i << " column " << column;
    }
  }
}

TEST(FeaturePipeline, MeasuresMinutesFromTheRthOpenInExchangeTimeAcrossDst) {
  struct Row {
    std::string name;
    date::sys_days trade_date;
    core::Timestamp close_time;
    double minutes;
  };
  const date::sys_days winter = 2024_y / 1 / 16;  // CST, UTC-6: 08:30 CT = 14:30 UTC
  const date::sys_days summer = 2024_y / 3 / 14;  // CDT, UTC-5: 08:30 CT = 13:30 UTC
  const std::vector<Row> rows = {
      {"winter first RTH minute", winter, winter + 14h + 31min, 1},
      {"summer first RTH minute", summer, summer + 13h + 31min, 1},
      {"summer RTH close 15:00 CT", summer, summer + 20h, 390},
      {"overnight bar before the open", summer, summer + 13h + 15min + 30s, -14.5},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    FeaturePipeline pipeline(FeatureConfig{}, calendar());
    auto bar = bar_of({{100, 1, 1}});
    bar.trade_date = days_since_epoch(row.trade_date);
    bar.open_time = row.close_time - 1min;
    bar.close_time = row.close_time;
    const auto out = run(pipeline, bar);
    EXPECT_FLOAT_EQ(out[footprint_v1::index(footprint_v1::Column::minutes_since_rth_open)],
                    static_cast<float>(row.minutes));
  }
}

TEST(FeaturePipeline, GivesZeroProfileColumnsForABarWithoutLevels) {
  FeaturePipeline pipeline(FeatureConfig{}, calendar());
  bars::FootprintBar bar;
  bar.open = bar.high = bar.low = bar.close = core::Ticks(20000);
  bar.close_time = bar.open_time + 1min;
  const auto out = run(pipeline, bar);
  using C = footprint_v1::Column;
  for (const C c : {C::close_minus_poc_ticks, C::poc_volume_share, C::close_minus_hvn_ticks,
                    C::hvn_volume_share, C::close_minus_lvn_ticks, C::lvn_volume_share,
                    C::close_minus_vah_ticks, C::close_minus_val_ticks, C::delta_share, C::volume})
    EXPECT_EQ(out[footprint_v1::index(c)], 0.0f) << footprint_v1::kColumnNames[footprint_v1::index(c)];
}

// ---------------------------------------------------------------- history

// Deterministic one-level bars with an uneven close path and volume.
std::vector<bars::FootprintBar> history_bars(std::size_t n, std::int64_t seed) {
  std::vector<bars::FootprintBar> out;
  const date::sys_days day = 2024_y / 3 / 14;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::int64_t>(i) + seed;
    const std::int64_t close = 20000 + (k * k * 7) % 23 - static_cast<std::int64_t>(i) / 3;
    const auto volume = static_cast<std::uint32_t>(10 + (k * 13) % 17);
    auto bar = bar_of({{close, 1, volume - 1}});
    bar.trade_date = days_since_epoch(day);
    bar.open_time = day + 13h + 30min + std::chrono::minutes(i);
    bar.close_time = bar.open_time + 1min;
    out.push_back(bar);
  }
  return out;
}

TEST(FeaturePipeline, ComputesReturnsAndRelativeVolumeFromPastBarsOnly) {
  const auto bars = history_bars(75, 0);  // long enough to wrap the 30-bar history twice
  FeaturePipeline pipeline(FeatureConfig{}, calendar());
  using C = footprint_v1::Column;
  const std::pair<C, std::size_t> returns[] = {
      {C::return_1_ticks, 1}, {C::return_5_ticks, 5}, {C::return_15_ticks, 15}, {C::return_30_ticks, 30}};
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto out = run(pipeline, bars[i]);
    const auto close = [&](std::size_t j) { return bars[j].close.count(); };
    for (const auto& [column, k] : returns) {
      const double want = i >= k ? static_cast<double>(close(i) - close(i - k)) : 0.0;
      EXPECT_EQ(out[footprint_v1::index(column)], static_cast<float>(want))
          << "bar " << i << " horizon " << k;
    }
    double sum = 0;
    const std::size_t n = std::min<std::size_t>(i, 30);
    for (std::size_t j = i - n; j < i; ++j) sum += static_cast<double>(bars[j].volume);
    const double want_rel = n == 0 ? 1.0 : static_cast<double>(bars[i].volume) / (sum / static_cast<double>(n));
    EXPECT_FLOAT_EQ(out[footprint_v1::index(C::volume_rel_30)], static_cast<float>(want_rel))
        << "bar " << i;
  }
  EXPECT_EQ(pipeline.bars_seen(), 75u);
}

TEST(FeaturePipeline, ResetForgetsHistoryLikeAFreshPipeline) {
  const auto bars = history_bars(40, 3);
  FeaturePipeline used(FeatureConfig{}, calendar());
  for (const auto& bar : history_bars(35, 100)) (void)run(used, bar);
  used.reset();
  FeaturePipeline fresh(FeatureConfig{}, calendar());
  for (std::size_t i = 0; i < bars.size(); ++i)
    ASSERT_EQ(run(used, bars[i]), run(fresh, bars[i])) << "bar " << i;
}

// Random footprint bars with consistent studies, for causality and allocation tests.
std::vector<bars::FootprintBar> random_bars(std::size_t n, std::uint32_t seed,
                                            core::Timestamp start, std::int64_t first_open) {
  std::mt19937 rng(seed);
  const auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<bars::FootprintBar> out;
  std::int64_t open = first_open;
  std::int64_t cum_delta = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bars::FootprintBar bar;
    const int levels = uniform(1, 12);
    const std::int64_t low = open - uniform(0, levels - 1);
    std::int64_t price = low;
    for (int j = 0; j < levels; ++j) {
      if (j > 0) price += uniform(1, 4) == 1 ? 2 : 1;  // an occasional untraded tick
      const auto bid = static_cast<std::uint32_t>(uniform(0, 40));
      const auto ask = static_cast<std::uint32_t>(uniform(bid == 0 ? 1 : 0, 40));
      bar.levels.push_back({core::Ticks(price), bid, ask, bid + ask, 1});
    }
    bar.open = core::Ticks(open);
    bar.low = core::Ticks(low);
    bar.high = core::Ticks(price);
    bar.close = bar.levels[static_cast<std::size_t>(uniform(0, levels - 1))].price;
    for (const auto& l : bar.levels) {
      bar.volume += l.volume;
      bar.bid_volume += l.bid_volume;
      bar.ask_volume += l.ask_volume;
      bar.num_trades += l.trades;
    }
    cum_delta += static_cast<std::int64_t>(bar.ask_volume) - static_cast<std::int64_t>(bar.bid_volume);
    bar.studies.delta = static_cast<std::int64_t>(bar.ask_volume) - static_cast<std::int64_t>(bar.bid_volume);
    bar.studies.cum_delta = cum_delta;
    bar.studies.session_open = core::Ticks(first_open);
    bar.studies.session_high = bar.high;
    bar.studies.session_low = bar.low;
    bar.studies.vwap = static_cast<double>(first_open) + 0.5;
    bar.open_time = start + std::chrono::minutes(i);
    bar.close_time = bar.open_time + 1min;
    bar.trade_date = days_since_epoch(date::floor<date::days>(start));
    bar.index_in_session = static_cast<std::int32_t>(i);
    out.push_back(bar);
    open = bar.close.count();
  }
  return out;
}

TEST(FeaturePipeline, IsCausalRowsUpToKIgnoreEveryLaterBar) {
  const core::Timestamp start = date::sys_days(2024_y / 3 / 14) + 13h + 30min;
  const auto original = random_bars(60, 1, start, 20000);
  FeaturePipeline reference(FeatureConfig{}, calendar());
  std::vector<std::vector<float>> reference_rows;
  for (const auto& bar : original) reference_rows.push_back(run(reference, bar));

  for (const std::size_t k : {0u, 1u, 5u, 29u, 30u, 31u, 45u}) {
    // Same bars 0..k, then a different future starting right after bar k.
    auto altered = std::vector<bars::FootprintBar>(original.begin(), original.begin() + k + 1);
    for (const auto& bar : random_bars(60 - k - 1, 2 + static_cast<std::uint32_t>(k),
                                       original[k].close_time, original[k].close.count() + 50))
      altered.push_back(bar);
    FeaturePipeline pipeline(FeatureConfig{}, calendar());
    bool later_rows_differ = false;
    for (std::size_t i = 0; i < altered.size(); ++i) {
      const auto row = run(pipeline, altered[i]);
      if (i <= k) ASSERT_EQ(row, reference_rows[i]) << "k=" << k << " row " << i;
      else later_rows_differ = later_rows_differ || row != reference_rows[i];
    }
    EXPECT_TRUE(later_rows_differ) << "k=" << k << ": the altered future must matter somewhere";
  }
}

TEST(FeaturePipeline, DoesNotAllocatePerBarOnceWarm) {
  const core::Timestamp start = date::sys_days(2024_y / 3 / 14) + 13h + 30min;
  const auto bars = random_bars(200, 7, start, 20000);
  FeaturePipeline pipeline(FeatureConfig{}, calendar());
  std::vector<float> row(pipeline.feature_set().size());
  pipeline.on_bar(bars[0], row);  // warm-up: the first RTH-open lookup may touch the tz database
  const std::size_t before = g_allocations.load();
  for (std::size_t i = 1; i < bars.size(); ++i) pipeline.on_bar(bars[i], row);
  EXPECT_EQ(g_allocations.load() - before, 0u);
}

// ---------------------------------------------------------------- construction

TEST(FeaturePipeline, RefusesToStartWithABadConfigOrAnUnknownSet) {
  struct Row {
    std::string name;
    FeatureConfig config;
    std::string message;
  };
  FeatureConfig bad_ratio;
  bad_ratio.profile.imbalance_ratio = 0.9;
  FeatureConfig unknown;
  unknown.feature_set = "orderbook";
  FeatureConfig bad_open;
  bad_open.rth_open = {24 * 60, 0};
  const std::vector<Row> rows = {
      {"bad ratio", bad_ratio, "features: features.profile.imbalance_ratio: 0.9 is outside 1..1e6"},
      {"unknown set", unknown, "features: feature set \"orderbook\" is not registered; known: footprint"},
      {"bad rth open", bad_open,
       "features: features.rth_open: 24:00:00 is not a time of day in 00:00:00..23:59:59"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    try {
      FeaturePipeline pipeline(row.config, calendar());
      ADD_FAILURE() << "expected core::DaytraderError";
    } catch (const core::DaytraderError& e) {
      EXPECT_EQ(std::string(e.what()), row.message);
    }
  }
}

TEST(FeaturePipeline, ReportsTheFeatureSetItComputes) {
  FeatureConfig config;
  config.profile.imbalance_ratio = 2.0;
  FeaturePipeline pipeline(config, calendar());
  EXPECT_EQ(pipeline.feature_set(), FeatureSet::by_name("footprint", config).value());
  EXPECT_EQ(pipeline.feature_set().size(), kColumns);
}

}  // namespace
}  // namespace daytrader::features
