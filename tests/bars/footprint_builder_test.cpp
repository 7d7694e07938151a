#include "bars/footprint_builder.h"

#include <gtest/gtest.h>

#include <date/date.h>

#include <random>

namespace daytrader::bars {
namespace {

using namespace date::literals;
using namespace std::chrono_literals;
using core::Ticks;
using core::Timestamp;

const auto& cal() { return core::SessionCalendar::cme_globex(); }

// An instant at exchange-local wall time on a calendar day.
Timestamp ct(date::year_month_day d, std::chrono::seconds tod) {
  return cal().to_utc(date::local_days(d), tod);
}

market::Trade buy(Timestamp ts, std::int64_t price, std::uint32_t size) {
  return market::Trade{ts, Ticks(price), size, 0, size, 1};
}
market::Trade sell(Timestamp ts, std::int64_t price, std::uint32_t size) {
  return market::Trade{ts, Ticks(price), size, size, 0, 1};
}

std::vector<FootprintBar> run(FootprintBuilder& b, const std::vector<market::Trade>& trades,
                              bool flush = true) {
  std::vector<FootprintBar> out;
  for (const auto& t : trades)
    if (auto bar = b.on_trade(t)) out.push_back(std::move(*bar));
  if (flush) {
    if (auto bar = b.flush()) out.push_back(std::move(*bar));
  }
  return out;
}

TEST(FootprintBuilder, BuildsTheGoldenFootprintOfAHandMadeTickSequence) {
  const auto day = 2024_y / 3 / 5;  // a Tuesday
  const Timestamp t0 = ct(day, 9h + 30min);
  FootprintBuilder b(BarSpec{BarKind::kTime, 60});
  const std::vector<market::Trade> trades = {
      buy(t0 + 1s, 20000, 5),   sell(t0 + 2s, 19999, 3),  buy(t0 + 3s, 20001, 2),
      buy(t0 + 4s, 20001, 7),   sell(t0 + 5s, 20000, 4),  sell(t0 + 59s, 19998, 1),
      // Next minute.
      buy(t0 + 60s, 19999, 10), market::Trade{t0 + 61s, Ticks(19999), 6, 0, 0, 2},  // unclassified
  };
  const auto bars = run(b, trades);
  ASSERT_EQ(bars.size(), 2u);
  const FootprintBar& a = bars[0];
  EXPECT_EQ(a.open_time, t0);
  EXPECT_EQ(a.close_time, t0 + 60s);
  EXPECT_EQ(a.trade_date, date::sys_days(day).time_since_epoch().count());
  EXPECT_EQ(a.index_in_session, 0);
  EXPECT_EQ(a.open, Ticks(20000));
  EXPECT_EQ(a.high, Ticks(20001));
  EXPECT_EQ(a.low, Ticks(19998));
  EXPECT_EQ(a.close, Ticks(19998));
  EXPECT_EQ(a.volume, 22u);
  EXPECT_EQ(a.bid_volume, 8u);
  EXPECT_EQ(a.ask_volume, 14u);
  EXPECT_EQ(a.num_trades, 6u);
  const std::vector<PriceLevel> golden = {
      {Ticks(19998), 1, 0, 1, 1},
      {Ticks(19999), 3, 0, 3, 1},
      {Ticks(20000), 4, 5, 9, 2},
      {Ticks(20001), 0, 9, 9, 2},
  };
  EXPECT_EQ(a.levels, golden);
  EXPECT_EQ(a.studies.delta, 6);
  EXPECT_EQ(a.studies.cum_delta, 6);
  EXPECT_EQ(a.studies.session_open, Ticks(20000));
  EXPECT_FALSE(a.studies.has_prev_session);
  EXPECT_DOUBLE_EQ(a.studies.vwap, (19998.0 * 1 + 19999.0 * 3 + 20000.0 * 9 + 20001.0 * 9) / 22.0);

  const FootprintBar& c = bars[1];
  EXPECT_EQ(c.open_time, t0 + 60s);
  EXPECT_EQ(c.index_in_session, 1);
  EXPECT_EQ(c.volume, 16u);
  EXPECT_EQ(c.num_trades, 3u);
  ASSERT_EQ(c.levels.size(), 1u);
  EXPECT_EQ(c.levels[0], (PriceLevel{Ticks(19999), 0, 10, 16, 3}));
  EXPECT_EQ(c.studies.delta, 10);
  EXPECT_EQ(c.studies.cum_delta, 16);
  EXPECT_EQ(c.studies.session_high, Ticks(20001));
  EXPECT_EQ(c.studies.session_low, Ticks(19998));
  EXPECT_DOUBLE_EQ(c.studies.vwap, (19998.0 * 1 + 19999.0 * 19 + 20000.0 * 9 + 20001.0 * 9) / 38.0);
}

TEST(FootprintBuilder, ClosesBarsAtSessionBoundariesAndCarriesPreviousHighLow) {
  FootprintBuilder b(BarSpec{BarKind::kTime, 3600});
  // Monday 15:59:59 CT, then the 16:00 close, then Monday 17:00 CT opens Tuesday's session.
  const auto mon = 2024_y / 3 / 4;
  const std::vector<market::Trade> trades = {
      buy(ct(mon, 15h + 10min), 20010, 1),  sell(ct(mon, 15h + 59min + 59s), 19990, 2),
      buy(ct(mon, 17h), 20005, 3),          buy(ct(mon, 17h + 30min), 20007, 1),
      sell(ct(2024_y / 3 / 5, 8h + 31min), 20000, 4),
  };
  const auto bars = run(b, trades);
  ASSERT_EQ(bars.size(), 3u);
  // The 15:00 bar of Monday's session ends at the 16:00 close.
  EXPECT_EQ(bars[0].close_time, ct(mon, 16h));
  EXPECT_EQ(bars[0].trade_date, date::sys_days(mon).time_since_epoch().count());
  // Tuesday's session starts at 17:00 Monday; its first bar is 17:00-18:00.
  EXPECT_EQ(bars[1].open_time, ct(mon, 17h));
  EXPECT_EQ(bars[1].trade_date, date::sys_days(2024_y / 3 / 5).time_since_epoch().count());
  EXPECT_EQ(bars[1].index_in_session, 0);
  EXPECT_EQ(bars[1].studies.session_open, Ticks(20005));
  EXPECT_TRUE(bars[1].studies.has_prev_session);
  EXPECT_EQ(bars[1].studies.prev_high, Ticks(20010));
  EXPECT_EQ(bars[1].studies.prev_low, Ticks(19990));
  EXPECT_EQ(bars[1].studies.cum_delta, 4);  // reset at the session start
  EXPECT_EQ(bars[2].studies.cum_delta, 0);
  EXPECT_EQ(bars[2].open_time, ct(2024_y / 3 / 5, 8h));  // hourly, aligned to the 17:00 open
  EXPECT_EQ(b.stats().sessions, 2u);
}

TEST(FootprintBuilder, AlignsBarsInExchangeTimeAcrossADstChange) {
  FootprintBuilder b(BarSpec{BarKind::kTime, 60});
  // Friday before and Monday after the switch of 2024-03-10: 08:30 CT is 14:30 then 13:30 UTC.
  const Timestamp fri = ct(2024_y / 3 / 8, 8h + 30min + 5s);
  const Timestamp mon = ct(2024_y / 3 / 11, 8h + 30min + 5s);
  const auto bars = run(b, {buy(fri, 20000, 1), buy(mon, 20000, 1)});
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(core::format_utc(bars[0].open_time), "2024-03-08T14:30:00.000000000Z");
  EXPECT_EQ(core::format_utc(bars[1].open_time), "2024-03-11T13:30:00.000000000Z");
  EXPECT_EQ(cal().format_local(bars[0].open_time), "2024-03-08 08:30:00");
  EXPECT_EQ(cal().format_local(bars[1].open_time), "2024-03-11 08:30:00");
  // The Sunday evening open is 17:00 CDT = 22:00 UTC after the switch.
  FootprintBuilder b2(BarSpec{BarKind::kTime, 60});
  const auto sun = run(b2, {buy(Timestamp(date::sys_days(2024_y / 3 / 10)) + 22h + 1s, 20000, 1)});
  ASSERT_EQ(sun.size(), 1u);
  EXPECT_EQ(sun[0].trade_date, date::sys_days(2024_y / 3 / 11).time_since_epoch().count());
  EXPECT_EQ(sun[0].index_in_session, 0);
}

TEST(FootprintBuilder, SkipsTradesInTheDailyHaltAndCountsThem) {
  FootprintBuilder b(BarSpec{BarKind::kTime, 60});
  const auto mon = 2024_y / 3 / 4;
  const auto bars = run(b, {buy(ct(mon, 15h + 59min), 20000, 1), buy(ct(mon, 16h + 30min), 20000, 5),
                            buy(ct(2024_y / 3 / 9, 12h), 20000, 5)});
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].volume, 1u);
  EXPECT_EQ(b.stats().out_of_session, 2u);
}

TEST(FootprintBuilder, OnTimeClosesAQuietBarOnSchedule) {
  FootprintBuilder b(BarSpec{BarKind::kTime, 60});
  const Timestamp t0 = ct(2024_y / 3 / 5, 10h);
  EXPECT_FALSE(b.on_trade(buy(t0 + 10s, 20000, 1)));
  EXPECT_FALSE(b.on_time(t0 + 59s));
  auto bar = b.on_time(t0 + 60s);
  ASSERT_TRUE(bar);
  EXPECT_EQ(bar->close_time, t0 + 60s);
  EXPECT_FALSE(b.on_time(t0 + 120s));  // no trades, no bar
  EXPECT_FALSE(b.flush());
}

TEST(FootprintBuilder, VolumeAndTickBarsCloseWhenFull) {
  const Timestamp t0 = ct(2024_y / 3 / 5, 10h);
  FootprintBuilder vb(BarSpec{BarKind::kVolume, 10});
  const auto vbars = run(vb, {buy(t0, 20000, 4), buy(t0 + 1s, 20001, 6), sell(t0 + 2s, 20000, 3),
                              sell(t0 + 3s, 19999, 20), buy(t0 + 4s, 20000, 1)});
  ASSERT_EQ(vbars.size(), 3u);
  EXPECT_EQ(vbars[0].volume, 10u);
  EXPECT_EQ(vbars[0].close_time, t0 + 1s + 1ns);  // the filling trade's time
  EXPECT_EQ(vbars[1].volume, 23u);                // trades are never split
  EXPECT_EQ(vbars[2].volume, 1u);
  FootprintBuilder tb(BarSpec{BarKind::kTick, 2});
  const auto tbars = run(tb, {buy(t0, 20000, 4), buy(t0 + 1s, 20001, 6), sell(t0 + 2s, 20000, 3)});
  ASSERT_EQ(tbars.size(), 2u);
  EXPECT_EQ(tbars[0].num_trades, 2u);
  EXPECT_EQ(tbars[1].num_trades, 1u);
}

TEST(FootprintBuilder, KeepsTheVolumeOfOutOfOrderTrades) {
  const Timestamp t0 = ct(2024_y / 3 / 5, 10h);
  FootprintBuilder b(BarSpec{BarKind::kTime, 60});
  const auto bars = run(b, {buy(t0 + 61s, 20000, 1), buy(t0 + 30s, 20000, 2), buy(t0 + 125s, 20000, 4),
                            buy(t0 + 70s, 20000, 8)});
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].volume, 3u);   // the late trade joins the open bar
  EXPECT_EQ(bars[1].volume, 12u);  // one earlier than an emitted bar joins the next one
  EXPECT_EQ(b.stats().out_of_order, 2u);
}

TEST(FootprintBuilder, LevelVolumesSumToBarVolumeOnRandomTrades) {
  // Property: for any trades, levels are ascending, bid + ask <= total per level, and level sums
  // equal the bar's totals; wide ranges exercise the growth of the price grid.
  std::mt19937_64 rng(7);
  FootprintBuilder b(BarSpec{BarKind::kTime, 300});
  Timestamp t = ct(2024_y / 3 / 5, 1h);
  std::vector<market::Trade> trades;
  std::uint64_t total = 0;
  std::int64_t price = 20000;
  for (int i = 0; i < 20000; ++i) {
    t += std::chrono::milliseconds(1 + rng() % 400);
    price += static_cast<std::int64_t>(rng() % 41) - 20;
    const auto size = static_cast<std::uint32_t>(1 + rng() % 30);
    trades.push_back(rng() % 2 ? buy(t, price, size) : sell(t, price, size));
    total += size;
  }
  const auto bars = run(b, trades);
  // Bulk and one-at-a-time feeding give the same bars.
  FootprintBuilder bulk(BarSpec{BarKind::kTime, 300});
  std::vector<FootprintBar> bulk_bars;
  std::size_t next = 0;
  bulk.on_trades([&](market::Trade& out) { return next < trades.size() ? (out = trades[next++], true) : false; },
                 [&](FootprintBar&& bar) { bulk_bars.push_back(std::move(bar)); });
  if (auto bar = bulk.flush()) bulk_bars.push_back(std::move(*bar));
  EXPECT_EQ(bulk_bars, bars);
  EXPECT_EQ(bulk.stats().trades, b.stats().trades);
  std::uint64_t seen = 0;
  for (const auto& bar : bars) {
    std::uint64_t v = 0, bid = 0, ask = 0, n = 0;
    for (std::size_t i = 0; i < bar.levels.size(); ++i) {
      const auto& l = bar.levels[i];
      if (i > 0) {
        EXPECT_LT(bar.levels[i - 1].price, l.price);
      }
      EXPECT_EQ(l.bid_volume + l.ask_volume, l.volume);
      v += l.volume; bid += l.bid_volume; ask += l.ask_volume; n += l.trades;
    }
    EXPECT_EQ(v, bar.volume);
    EXPECT_EQ(bid, bar.bid_volume);
    EXPECT_EQ(ask, bar.ask_volume);
    EXPECT_EQ(n, bar.num_trades);
    EXPECT_EQ(bar.levels.front().price, bar.low);
    EXPECT_EQ(bar.levels.back().price, bar.high);
    seen += bar.volume;
  }
  EXPECT_EQ(seen, total);
}

}  // namespace
}  // namespace daytrader::bars

namespace daytrader::bars {
namespace {
// One bad print far away must not make the bar allocate a slot per tick up to it.
TEST(FootprintBuilder, SkipsAPriceThatWouldStretchTheBarPastItsMaximumRange) {
  const Timestamp t0 = ct(2024_y / 3 / 5, 9h);
  struct Row { const char* name; std::int64_t bad_price; std::int64_t max_range; std::uint64_t skipped; };
  const Row rows[] = {
      {"4e8 ticks (1e8 points), default limit", 400'000'000, kDefaultMaxRangeTicks, 1},
      {"4e9 ticks (1e9 points), default limit", 4'000'000'000, kDefaultMaxRangeTicks, 1},
      {"negative price", -20000, kDefaultMaxRangeTicks, 1},
      {"39,999 ticks away: inside the default", 20000 + 39'999, kDefaultMaxRangeTicks, 0},
      {"40,000 ticks away: one past it", 20000 + 40'000, kDefaultMaxRangeTicks, 1},
      {"2,000 ticks away, limit 2,000", 22000, 2000, 1},
  };
  for (const Row& row : rows) {
    FootprintBuilder b(BarSpec{BarKind::kTime, 60});
    b.set_max_range_ticks(row.max_range);
    const auto bars = run(b, {buy(t0, 20000, 2), buy(t0 + 1s, row.bad_price, 1), sell(t0 + 2s, 20001, 3)});
    ASSERT_EQ(bars.size(), 1u) << row.name;
    EXPECT_EQ(b.stats().out_of_range, row.skipped) << row.name;
    EXPECT_EQ(bars[0].volume, row.skipped ? 5u : 6u) << row.name;
    if (row.skipped) {
      ASSERT_TRUE(b.stats().first_out_of_range) << row.name;
      EXPECT_EQ(b.stats().first_out_of_range->price.count(), row.bad_price) << row.name;
      EXPECT_EQ(bars[0].high.count(), 20001) << row.name;
    }
  }
}
}  // namespace
}  // namespace daytrader::bars
