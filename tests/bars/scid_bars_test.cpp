// SCID records -> bars: bar records keep their OHLC and totals, bad records are skipped and named.
#include "bars/scid_bars.h"

#include <gtest/gtest.h>

#include <date/date.h>

#include <cmath>
#include <limits>

namespace daytrader::bars {
namespace {

using namespace date::literals;
using namespace std::chrono_literals;
using core::Ticks;
using core::Timestamp;

const auto& cal() { return core::SessionCalendar::cme_globex(); }
// 2024-03-05 08:30 CT, a Tuesday inside RTH.
Timestamp t830() { return cal().to_utc(date::local_days(2024_y / 3 / 5), 8h + 30min); }

scid::Record tick(Timestamp ts, float price, std::uint32_t size, bool buy) {
  scid::Record r;
  r.date_time = scid::encode_time(ts);
  r.open = 0;
  r.high = price + 0.25F;
  r.low = price;
  r.close = price;
  r.num_trades = 1;
  r.total_volume = size;
  (buy ? r.ask_volume : r.bid_volume) = size;
  return r;
}

scid::Record bar_record(Timestamp ts, float o, float h, float l, float c, std::uint32_t volume,
                        std::uint32_t bid, std::uint32_t ask, std::uint32_t trades) {
  scid::Record r;
  r.date_time = scid::encode_time(ts);
  r.open = o;
  r.high = h;
  r.low = l;
  r.close = c;
  r.num_trades = trades;
  r.total_volume = volume;
  r.bid_volume = bid;
  r.ask_volume = ask;
  return r;
}

struct Built {
  std::vector<FootprintBar> bars;
  ScidBuildReport rep;
  BuilderStats stats;
};

Built build(const std::vector<scid::Record>& records, const char* bar = "1m",
            std::int64_t max_range = kDefaultMaxRangeTicks) {
  Built out;
  FootprintBuilder builder(BarSpec::parse(bar).value(), cal());
  builder.set_max_range_ticks(max_range);
  out.rep = build_bars_from_scid(records, core::Instrument::es(), builder,
                                 [&](FootprintBar&& b) { out.bars.push_back(std::move(b)); }, true, "f.scid");
  out.stats = builder.stats();
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// The testers' case: a minute of 1-second records spanning 1255.25-1257.00 whose closes lie in
// 1255.75-1256.75. The bar must carry the records' extremes and totals, not their closes'.
TEST(ScidBars, BarRecordsKeepTheirOpenHighLowCloseAndTotals) {
  const Timestamp t0 = t830();
  struct Row {
    const char* name;
    std::vector<scid::Record> records;
    double open, high, low, close;
    std::uint64_t volume, bid, ask;
    std::uint32_t trades;
  };
  std::vector<scid::Record> minute;
  minute.push_back(bar_record(t0, 1256.00F, 1257.00F, 1255.75F, 1256.75F, 10, 4, 6, 3));
  minute.push_back(bar_record(t0 + 1s, 1256.50F, 1256.75F, 1255.25F, 1255.75F, 7, 5, 2, 2));
  minute.push_back(bar_record(t0 + 30s, 1255.75F, 1256.50F, 1255.50F, 1256.25F, 5, 1, 3, 4));  // 1 unclassified
  const std::vector<Row> rows = {
      {"three 1-second records", minute, 1256.00, 1257.00, 1255.25, 1256.25, 22, 10, 11, 9},
      {"one record", {minute[1]}, 1256.50, 1256.75, 1255.25, 1255.75, 7, 5, 2, 2},
      {"tick then bar record", {tick(t0, 1256.25F, 3, true), minute[1]}, 1256.25, 1256.75, 1255.25, 1255.75, 10,
       5, 5, 3},
      {"bar record then tick", {minute[1], tick(t0 + 2s, 1258.00F, 2, false)}, 1256.50, 1258.00, 1255.25,
       1258.00, 9, 7, 2, 3},
  };
  const auto es = core::Instrument::es();
  for (const Row& row : rows) {
    const Built b = build(row.records);
    ASSERT_EQ(b.bars.size(), 1u) << row.name;
    const FootprintBar& bar = b.bars[0];
    EXPECT_EQ(bar.open, es.to_ticks(row.open).value()) << row.name;
    EXPECT_EQ(bar.high, es.to_ticks(row.high).value()) << row.name;
    EXPECT_EQ(bar.low, es.to_ticks(row.low).value()) << row.name;
    EXPECT_EQ(bar.close, es.to_ticks(row.close).value()) << row.name;
    EXPECT_EQ(bar.volume, row.volume) << row.name;
    EXPECT_EQ(bar.bid_volume, row.bid) << row.name;
    EXPECT_EQ(bar.ask_volume, row.ask) << row.name;
    EXPECT_EQ(bar.num_trades, row.trades) << row.name;
    EXPECT_EQ(bar.studies.session_open, bar.open) << row.name;
    EXPECT_EQ(bar.studies.session_high, bar.high) << row.name;
    EXPECT_EQ(bar.studies.session_low, bar.low) << row.name;
    // Footprint rule: each record's volume sits at its close; levels sum to the bar's totals.
    std::uint64_t v = 0;
    for (const auto& l : bar.levels) {
      v += l.volume;
      EXPECT_GE(l.price, bar.low) << row.name;
      EXPECT_LE(l.price, bar.high) << row.name;
    }
    EXPECT_EQ(v, bar.volume) << row.name;
    EXPECT_EQ(b.rep.bad_price + b.rep.bad_time + b.rep.zero_volume, 0u) << row.name;
  }
  const Built b = build(minute);
  EXPECT_EQ(b.rep.bar_records, 3u);
  EXPECT_EQ(b.rep.trades, 3u);
  ASSERT_EQ(b.bars[0].levels.size(), 3u);  // closes 1255.75, 1256.25, 1256.75
  EXPECT_EQ(b.bars[0].levels[0].price, es.to_ticks(1255.75).value());
  EXPECT_EQ(b.bars[0].levels[0].volume, 7u);
  EXPECT_EQ(b.bars[0].levels[0].trades, 2u);
}

TEST(ScidBars, BarRecordsCloseAndOpenBarsLikeTrades) {
  const Timestamp t0 = t830();
  // Records in three minutes, one of them on a Saturday (no session): 2 bars, 1 skipped.
  const Timestamp saturday = cal().to_utc(date::local_days(2024_y / 3 / 9), 10h);
  const std::vector<scid::Record> records = {
      bar_record(t0, 5000.00F, 5001.00F, 4999.00F, 5000.50F, 10, 5, 5, 2),
      bar_record(t0 + 61s, 5000.50F, 5002.00F, 5000.25F, 5001.75F, 4, 1, 3, 1),
      bar_record(saturday, 5000.00F, 5000.00F, 5000.00F, 5000.00F, 4, 1, 3, 1),
  };
  const Built b = build(records);
  ASSERT_EQ(b.bars.size(), 2u);
  EXPECT_EQ(b.bars[0].high.count(), 20004);
  EXPECT_EQ(b.bars[0].low.count(), 19996);
  EXPECT_EQ(b.bars[1].open.count(), 20002);
  EXPECT_EQ(b.bars[1].high.count(), 20008);
  EXPECT_EQ(b.bars[1].studies.session_high.count(), 20008);
  EXPECT_EQ(b.bars[1].studies.session_low.count(), 19996);
  EXPECT_EQ(b.stats.out_of_session, 1u);
  // Volume bars: a record counts its whole volume toward the bar's size.
  const Built v = build(records, "v10");
  ASSERT_EQ(v.bars.size(), 2u);
  EXPECT_EQ(v.bars[0].volume, 10u);
  EXPECT_EQ(v.bars[1].volume, 4u);
  EXPECT_EQ(v.bars[1].open.count(), 20002);
}

TEST(ScidBars, SkipsAndNamesRecordsWithUnusablePricesVolumesOrTimes) {
  const Timestamp t0 = t830();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  scid::Record zero_bar = bar_record(t0, 5000.0F, 5001.0F, 4999.0F, 5000.0F, 0, 0, 0, 3);
  scid::Record zero_tick = tick(t0, 5000.0F, 0, true);
  zero_tick.high = 0;  // not a quote (a quote has both sides)
  scid::Record late = tick(t0, 5000.0F, 1, true);
  late.date_time = 99'999'999'999'999'999;
  scid::Record legacy9999 = tick(t0, 5000.0F, 1, true);
  legacy9999.date_time = std::bit_cast<std::int64_t>(2'958'465.0);  // 9999-12-31 as legacy days
  struct Row {
    const char* name;
    scid::Record bad;
    const char* message;  // expected part of the problem line
    std::uint64_t ScidBuildReport::*counter;
  };
  const std::vector<Row> rows = {
      {"price 1e8", tick(t0, 1e8F, 1, true), "record 1: Close 100000000 is outside the accepted price band (0, 1000000]",
       &ScidBuildReport::bad_price},
      {"price 1e9", tick(t0, 1e9F, 1, true), "record 1: Close 1000000000 is outside", &ScidBuildReport::bad_price},
      {"price 0", tick(t0, 0.0F, 1, true), "record 1: Close 0 is outside", &ScidBuildReport::bad_price},
      {"negative", tick(t0, -5.0F, 1, true), "record 1: Close -5 is outside", &ScidBuildReport::bad_price},
      {"NaN", tick(t0, nan, 1, true), "record 1: Close nan is not a finite price", &ScidBuildReport::bad_price},
      {"off grid", tick(t0, 5000.1F, 1, true), "record 1: Close 5000.1 is not on the 0.25 tick grid",
       &ScidBuildReport::bad_price},
      {"bar high 1e9", bar_record(t0, 5000.0F, 1e9F, 4999.0F, 5000.0F, 3, 1, 1, 2), "record 1: High 1000000000 is outside",
       &ScidBuildReport::bad_price},
      {"zero-volume bar", zero_bar, "record 1: TotalVolume 0 on a bar record", &ScidBuildReport::zero_volume},
      {"zero-volume trade", zero_tick, "record 1: TotalVolume 0 on a trade record", &ScidBuildReport::zero_volume},
      {"DateTime 99999999999999999", late, "record 1: DateTime 99999999999999999 is past the last representable",
       &ScidBuildReport::bad_time},
      {"legacy 9999", legacy9999, "record 1: DateTime 4703607666558107648 is past the last representable time (2262-04-04 UTC)", &ScidBuildReport::bad_time},
  };
  for (const Row& row : rows) {
    const Built b = build({tick(t0, 5000.0F, 2, true), row.bad});
    EXPECT_EQ(b.rep.*row.counter, 1u) << row.name;
    EXPECT_EQ(bad_records(b.rep), 1u) << row.name;
    EXPECT_EQ(b.rep.trades, 1u) << row.name;
    EXPECT_NE(joined(b.rep.problems).find(std::string("f.scid: ") + row.message), std::string::npos)
        << row.name << ": " << joined(b.rep.problems);
    ASSERT_EQ(b.bars.size(), 1u) << row.name;
    EXPECT_EQ(b.bars[0].volume, 2u) << row.name;
    EXPECT_EQ(b.bars[0].high, b.bars[0].low) << row.name;
  }
}

TEST(ScidBars, ABarWiderThanTheLimitIsSkippedAndNamed) {
  const Timestamp t0 = t830();
  // Limit 1024 ticks (256 points): a print 300 points away and a 300-point bar record are refused.
  const Built b = build({tick(t0, 5000.0F, 2, true), tick(t0 + 1s, 5300.0F, 3, true),
                         bar_record(t0 + 2s, 5000.0F, 5300.0F, 5000.0F, 5000.0F, 4, 2, 2, 1),
                         tick(t0 + 3s, 5010.0F, 1, false)},
                        "1m", 1024);
  EXPECT_EQ(b.rep.out_of_range, 2u);
  EXPECT_EQ(b.rep.trades, 2u);
  ASSERT_TRUE(b.stats.first_out_of_range);
  EXPECT_EQ(b.stats.first_out_of_range->price.count(), 21200);
  EXPECT_NE(joined(b.rep.problems).find("f.scid: record 2: bar record High 5300 .. Low 5000 would make a bar wider "
                                        "than 1024 ticks"),
            std::string::npos)
      << joined(b.rep.problems);
  ASSERT_EQ(b.bars.size(), 1u);
  EXPECT_EQ(b.bars[0].volume, 3u);
  EXPECT_EQ(b.bars[0].high.count(), 20040);
}

}  // namespace
}  // namespace daytrader::bars
