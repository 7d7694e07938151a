// Sierra Chart's text export (Export Bar Data to Text File): rows are bar records, exactly as the
// same data stored as SCID bar records; variants Sierra writes are read, anything else is refused
// with file:line:column and the value.
#include "interop/sierra_text.h"

#include <gtest/gtest.h>

#include <date/date.h>
#include <fmt/format.h>

#include "bars/scid_bars.h"
#include "core/instrument_table.h"

namespace daytrader::interop {
namespace {

using namespace date::literals;
using namespace std::chrono_literals;
using core::Ticks;

const core::Instrument kEs = core::Instrument::es();
const std::string kHeader =
    "Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume\n";

// 2024-03-05 08:30 Central (CST) is 14:30 UTC.
core::Timestamp utc_0830() {
  return core::Timestamp(date::sys_days(2024_y / 3 / 5)) + 14h + 30min;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

struct Built {
  std::vector<bars::FootprintBar> bars;
  SierraTextReport rep;
  core::Status status;
};

Built build(const std::string& text, const SierraTextOptions& options = {}, const char* bar = "1m",
            const core::Instrument& instrument = kEs) {
  Built out;
  bars::FootprintBuilder builder(bars::BarSpec::parse(bar).value(), core::SessionCalendar::cme_globex());
  out.status = build_bars_from_sierra_text(
      text, "x.txt", instrument, options, builder,
      [&](bars::FootprintBar&& b) { out.bars.push_back(std::move(b)); }, out.rep);
  return out;
}

TEST(SierraText, RowsAreBarRecordsWithExactOhlcVolumesAndTrades) {
  const std::string text = kHeader +
                           "2024/3/5, 08:30:00, 5100.25, 5102.00, 5099.50, 5101.00, 120, 31, 50, 70\n"
                           "2024/3/5, 08:30:30, 5101.00, 5101.50, 5100.00, 5100.50, 30, 9, 20, 10\n"
                           "2024/3/5, 08:31:00, 5100.50, 5100.75, 5100.25, 5100.75, 7, 2, 3, 4\n";
  const Built b = build(text);
  ASSERT_TRUE(b.status) << b.status.error().message;
  EXPECT_EQ(b.rep.rows, 3u);
  EXPECT_EQ(b.rep.bar_records, 3u);
  EXPECT_EQ(b.rep.skipped(), 0u);
  EXPECT_TRUE(b.rep.problems.empty()) << joined(b.rep.problems);
  ASSERT_EQ(b.bars.size(), 2u);
  const auto& first = b.bars[0];
  EXPECT_EQ(first.open_time, utc_0830());
  EXPECT_EQ(first.close_time, utc_0830() + 60s);
  EXPECT_EQ(first.trade_date, date::sys_days(2024_y / 3 / 5).time_since_epoch().count());
  EXPECT_EQ(first.open, Ticks(20401));   // 5100.25
  EXPECT_EQ(first.high, Ticks(20408));   // 5102.00, a price no Last reached
  EXPECT_EQ(first.low, Ticks(20398));    // 5099.50
  EXPECT_EQ(first.close, Ticks(20402));  // 5100.50
  EXPECT_EQ(first.volume, 150u);
  EXPECT_EQ(first.num_trades, 40u);
  EXPECT_EQ(first.bid_volume, 70u);
  EXPECT_EQ(first.ask_volume, 80u);
  // No volume at price in the file: each row's totals sit at its Last.
  ASSERT_EQ(first.levels.size(), 2u);
  EXPECT_EQ(first.levels[0], (bars::PriceLevel{Ticks(20402), 20, 10, 30, 9}));
  EXPECT_EQ(first.levels[1], (bars::PriceLevel{Ticks(20404), 50, 70, 120, 31}));
  EXPECT_EQ(b.bars[1].volume, 7u);
}

TEST(SierraText, GivesTheSameBarsAsTheSameDataStoredAsScidBarRecords) {
  // Rows of 10-second bars over two sessions (a daily halt between them), as text and as records.
  std::string text = kHeader;
  std::vector<scid::Record> records;
  const auto& cal = core::SessionCalendar::cme_globex();
  std::int64_t price = 20400;
  for (int i = 0; i < 2000; ++i) {
    const auto ts =
        cal.to_utc(date::local_days(2024_y / 3 / 5), 13h) + std::chrono::seconds(10 * i);  // to 18:33
    const std::int64_t o = price, h = price + i % 3, l = price - i % 2, c = price + (i % 5) - 2;
    const std::int64_t hi = std::max({h, o, c}), lo = std::min({l, o, c});
    price = c;
    const auto vol = static_cast<std::uint32_t>(5 + i % 17);
    const std::uint32_t bid = vol / 3, ask = vol - bid, trades = 1 + vol / 4;
    const auto local = date::floor<std::chrono::seconds>(cal.to_local(ts));
    text += fmt::format("{}, {}, {:.2f}, {:.2f}, {:.2f}, {:.2f}, {}, {}, {}, {}\n",
                        date::format("%Y/%m/%d", local), date::format("%T", local), kEs.to_price(Ticks(o)),
                        kEs.to_price(Ticks(hi)), kEs.to_price(Ticks(lo)), kEs.to_price(Ticks(c)), vol, trades,
                        bid, ask);
    scid::Record r;
    r.date_time = scid::encode_time(ts);
    r.open = static_cast<float>(kEs.to_price(Ticks(o)));
    r.high = static_cast<float>(kEs.to_price(Ticks(hi)));
    r.low = static_cast<float>(kEs.to_price(Ticks(lo)));
    r.close = static_cast<float>(kEs.to_price(Ticks(c)));
    r.num_trades = trades;
    r.total_volume = vol;
    r.bid_volume = bid;
    r.ask_volume = ask;
    records.push_back(r);
  }
  for (const char* bar : {"1m", "5m", "v500", "t200"}) {
    const Built t = build(text, {}, bar);
    ASSERT_TRUE(t.status) << bar << ": " << t.status.error().message;
    bars::FootprintBuilder builder(bars::BarSpec::parse(bar).value(), cal);
    std::vector<bars::FootprintBar> from_scid;
    const auto rep = bars::build_bars_from_scid(
        records, kEs, builder, [&](bars::FootprintBar&& b) { from_scid.push_back(std::move(b)); });
    EXPECT_EQ(rep.bar_records, records.size()) << bar;
    EXPECT_EQ(t.rep.bar_records, builder.stats().bar_records) << bar;  // rows added to bars
    EXPECT_EQ(t.rep.out_of_session, builder.stats().out_of_session) << bar;
    EXPECT_EQ(t.rep.bar_records + t.rep.out_of_session, records.size()) << bar;
    EXPECT_GT(t.rep.out_of_session, 0u) << bar << ": the rows cross the 16:00-17:00 halt";
    ASSERT_EQ(t.bars.size(), from_scid.size()) << bar;
    for (std::size_t i = 0; i < from_scid.size(); ++i)
      ASSERT_EQ(t.bars[i], from_scid[i]) << bar << " bar " << i;
  }
}

TEST(SierraText, ReadsTheVariantsSierraWrites) {
  struct Row {
    const char* name;
    std::string text;
    core::Nanoseconds after_0830;  // the first row's time
  };
  const std::string row = "5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n";
  const Row rows[] = {
      {"Export Bar Data", kHeader + "2024/3/5, 08:30:00, " + row, 0s},
      {"zero-padded date", kHeader + "2024/03/05, 08:30:00, " + row, 0s},
      {"ISO date", kHeader + "2024-03-05, 08:30:00, " + row, 0s},
      {"dashes unpadded", kHeader + "2024-3-5, 08:30:00, " + row, 0s},
      {"one-digit hour", kHeader + "2024/3/5, 8:30:00, " + row, 0s},
      {"milliseconds", kHeader + "2024/3/5, 08:30:00.018, " + row, 18ms},
      {"microseconds", kHeader + "2024/3/5, 08:30:00.000250, " + row, 250us},
      {"no spaces",
       "Date,Time,Open,High,Low,Last,Volume,NumberOfTrades,BidVolume,AskVolume\n2024/3/5,08:30:00,"
       "5100.25,5100.50,5100.00,5100.25,10,3,4,6\n",
       0s},
      {"tabs",
       "Date\tTime\tOpen\tHigh\tLow\tLast\tVolume\tNumberOfTrades\tBidVolume\tAskVolume\n2024/3/5\t08:30:00\t"
       "5100.25\t5100.50\t5100.00\t5100.25\t10\t3\t4\t6\n",
       0s},
      {"BOM and CRLF",
       "\xEF\xBB\xBF"
       "Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume\r\n"
       "2024/3/5, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\r\n\r\n",
       0s},
      {"study export",
       "Date, Time, Open, High, Low, Last, Volume, # of Trades, OHLC Avg, HLC Avg, HL Avg, Bid Volume, "
       "Ask Volume, Open, High, Low, Last, Delta\n2024-3-5, 08:30:00.000000, 5100.25, 5100.50, 5100.00, "
       "5100.25, 10, 3, 5100.1, 5100.2, 5100.25, 4, 6, 1, 2, 3, 4, -2\n",
       0s},
      {"whole-number prices", kHeader + "2024/3/5, 08:30:00, 5100.25, 5100.5, 5100, 5100.25, 10, 3, 4, 6\n",
       0s},
  };
  for (const Row& r : rows) {
    SierraTextReport rep;
    const auto got = parse_sierra_text(r.text, "v.txt", kEs, {}, &rep);
    ASSERT_TRUE(got) << r.name << ": " << got.error().message;
    ASSERT_EQ(got->size(), 1u) << r.name;
    const SierraTextRow& x = got->front();
    EXPECT_EQ(x.ts, utc_0830() + r.after_0830) << r.name;
    EXPECT_EQ(x.open, Ticks(20401)) << r.name;
    EXPECT_EQ(x.high, Ticks(20402)) << r.name;
    EXPECT_EQ(x.low, Ticks(20400)) << r.name;
    EXPECT_EQ(x.last, Ticks(20401)) << r.name;
    EXPECT_EQ(x.volume, 10u) << r.name;
    EXPECT_EQ(x.num_trades, 3u) << r.name;
    EXPECT_EQ(x.bid_volume, 4u) << r.name;
    EXPECT_EQ(x.ask_volume, 6u) << r.name;
    EXPECT_EQ(x.line, 2u) << r.name;
    if (std::string_view(r.name) == "study export") {
      const std::vector<std::string> ignored = {"OHLC Avg", "HLC Avg", "HL Avg", "Open",
                                                "High",     "Low",     "Last",   "Delta"};
      EXPECT_EQ(rep.ignored_columns, ignored);
    }
  }
}

TEST(SierraText, RefusesMalformedRowsNamingFileLineColumnAndValue) {
  struct Row {
    const char* name;
    std::string text;
    const char* message;
  };
  const std::string d = "2024/3/5, 08:30:00, ";
  const Row rows[] = {
      {"not a number", kHeader + d + "5100.25, 51x0.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:30: High \"51x0.50\" is not a number"},
      {"empty price", kHeader + d + "5100.25, , 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:30: High \"\" is not a number"},
      {"off grid", kHeader + d + "5100.25, 5100.50, 5100.10, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:39: Low \"5100.10\" is not on the 0.25 tick grid of ES: is this another instrument's data?"},
      {"volume", kHeader + d + "5100.25, 5100.50, 5100.00, 5100.25, 1.5, 3, 4, 6\n",
       "x.txt:2:57: Volume \"1.5\" is not a whole number in 0..2147483647"},
      {"negative volume", kHeader + d + "5100.25, 5100.50, 5100.00, 5100.25, 10, 3, -4, 6\n",
       "x.txt:2:64: BidVolume \"-4\" is not a whole number"},
      {"huge volume", kHeader + d + "5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 4294967296\n",
       "AskVolume \"4294967296\" is not a whole number in 0..2147483647"},
      {"date shape", kHeader + "05/03/2024, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:1: Date \"05/03/2024\" is not a date like 2024/3/4 or 2024-03-04"},
      {"mixed separators",
       kHeader + "2024/03-05, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:1: Date \"2024/03-05\" is not a date like"},
      {"no such day", kHeader + "2024/2/30, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:1: Date \"2024/2/30\" is not a valid date"},
      {"year", kHeader + "9999/1/4, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "Date \"9999/1/4\" is outside the supported years 1970..2200"},
      {"time shape", kHeader + "2024/3/5, 08:30, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:11: Time \"08:30\" is not a time like 08:30:00 or 08:30:00.018"},
      {"time fraction", kHeader + "2024/3/5, 08:30:00., 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "Time \"08:30:00.\" is not a time like"},
      {"time range", kHeader + "2024/3/5, 24:00:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "Time \"24:00:00\" is not a valid time of day"},
      {"spring forward", kHeader + "2024/3/10, 02:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2:12: Time \"02:30:00\" on 2024/3/10 does not exist in America/Chicago (the daylight-saving "
       "gap)"},
      {"fall back", kHeader + "2024/11/3, 01:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "Time \"01:30:00\" on 2024/11/3 is ambiguous in America/Chicago"},
      {"ohlc", kHeader + d + "5100.75, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
       "x.txt:2: Open/High/Low/Last 5100.75/5100.50/5100.00/5100.25: Open and Last must lie inside "
       "Low..High"},
      {"fields", kHeader + d + "5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4\n",
       "x.txt:2: 9 fields, expected 10 like the header"},
      {"missing column", "Date, Time, Open, High, Low, Last, Volume, OpenInterest\n",
       "x.txt:1: missing column NumberOfTrades (a Sierra Chart bar export has Date, Time, Open, High, Low, "
       "Last"},
      {"not an export", "Date,Open,High\n", "x.txt:1: the first line is not a Sierra Chart export header"},
      {"empty", "", "x.txt: the file is empty (no header line)"},
  };
  for (const Row& r : rows) {
    const auto got = parse_sierra_text(r.text, "x.txt", kEs, {});
    ASSERT_FALSE(got) << r.name;
    EXPECT_NE(got.error().message.find(r.message), std::string::npos)
        << r.name << ": " << got.error().message;
  }
  SierraTextOptions bad_zone;
  bad_zone.time_zone = "America/Chicgo";
  const auto zone = parse_sierra_text(kHeader, "x.txt", kEs, bad_zone);
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().message.find("x.txt: time zone \"America/Chicgo\" is not in the tz database"),
            std::string::npos)
      << zone.error().message;
}

TEST(SierraText, SkipsAndCountsRowsWithUnusablePricesOrNoVolumeLikeScid) {
  struct Row {
    const char* name;
    const char* prices_and_volume;  // Open, High, Low, Last, Volume
    const char* message;
    std::uint64_t SierraTextReport::*counter;
  };
  const Row rows[] = {
      {"price 0", "0, 0, 0, 0, 10",
       "x.txt:3:21: Open \"0\" is outside the accepted price band (0, 1000000]; row skipped",
       &SierraTextReport::bad_price},
      {"negative", "5100.25, 5100.50, -5, 5100.25, 10",
       "x.txt:3:39: Low \"-5\" is outside the accepted price band", &SierraTextReport::bad_price},
      {"absurd", "5100.25, 1e9, 5100.00, 5100.25, 10",
       "x.txt:3:30: High \"1e9\" is outside the accepted price band", &SierraTextReport::bad_price},
      {"nan", "5100.25, 5100.50, 5100.00, nan, 10", "Last \"nan\" is outside the accepted price band",
       &SierraTextReport::bad_price},
      {"zero volume", "5100.25, 5100.50, 5100.00, 5100.25, 0",
       "x.txt:3:57: Volume \"0\": a bar without volume; row skipped", &SierraTextReport::zero_volume},
  };
  for (const Row& r : rows) {
    const std::string text = kHeader +
                             "2024/3/5, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n" +
                             "2024/3/5, 08:30:10, " + r.prices_and_volume + ", 3, 4, 6\n" +
                             "2024/3/5, 08:30:20, 5100.25, 5100.50, 5100.00, 5100.25, 5, 1, 2, 3\n";
    const Built b = build(text);
    ASSERT_TRUE(b.status) << r.name << ": " << b.status.error().message;
    EXPECT_EQ(b.rep.*r.counter, 1u) << r.name;
    EXPECT_EQ(b.rep.skipped(), 1u) << r.name;
    EXPECT_EQ(b.rep.rows, 3u) << r.name;
    EXPECT_EQ(b.rep.bar_records, 2u) << r.name;
    EXPECT_NE(joined(b.rep.problems).find(r.message), std::string::npos)
        << r.name << ": " << joined(b.rep.problems);
    ASSERT_EQ(b.bars.size(), 1u) << r.name;
    EXPECT_EQ(b.bars[0].volume, 15u) << r.name;
  }
  // The band is the caller's (--min-price / --max-price).
  SierraTextOptions narrow;
  narrow.band = {5100.0, 5100.25};
  const Built n =
      build(kHeader + "2024/3/5, 08:30:00, 5100.25, 5100.50, 5100.25, 5100.25, 10, 3, 4, 6\n", narrow);
  ASSERT_TRUE(n.status);
  EXPECT_EQ(n.rep.bad_price, 1u);
  EXPECT_NE(
      joined(n.rep.problems).find("High \"5100.50\" is outside the accepted price band (5100, 5100.25]"),
      std::string::npos)
      << joined(n.rep.problems);
  // Only the first few are named; all are counted.
  std::string many = kHeader;
  for (int i = 0; i < 20; ++i) many += fmt::format("2024/3/5, 08:30:{:02}, 0, 0, 0, 0, 10, 3, 4, 6\n", i);
  const Built m = build(many);
  ASSERT_TRUE(m.status);
  EXPECT_EQ(m.rep.bad_price, 20u);
  EXPECT_EQ(m.rep.problems.size(), 5u);
  EXPECT_TRUE(m.bars.empty());
}

TEST(SierraText, CountsRowsWhoseBidAndAskVolumeExceedTheVolumeAndKeepsThem) {
  std::string text = kHeader;
  for (int i = 0; i < 8; ++i)
    text +=
        fmt::format("2024/3/5, 08:30:{:02}, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 7, {}\n", i, 2 + i);
  const Built b = build(text);
  ASSERT_TRUE(b.status) << b.status.error().message;
  EXPECT_EQ(b.rep.sides_exceed_volume, 6u);  // 7 + 2 and 7 + 3 fit in 10; 7 + 4 .. 7 + 9 exceed it
  EXPECT_EQ(b.rep.skipped(), 0u);
  EXPECT_EQ(b.rep.problems.size(), 5u);
  EXPECT_NE(
      joined(b.rep.problems).find("x.txt:4: BidVolume 7 + AskVolume 4 exceed Volume 10; kept as exported"),
      std::string::npos)
      << joined(b.rep.problems);
  ASSERT_EQ(b.bars.size(), 1u);
  EXPECT_EQ(b.bars[0].volume, 80u);
  EXPECT_EQ(b.bars[0].bid_volume, 56u);
  EXPECT_EQ(b.bars[0].ask_volume, 2u + 3 + 4 + 5 + 6 + 7 + 8 + 9);
}

TEST(SierraText, ReadsTimesInTheExportsTimeZone) {
  struct Row {
    const char* zone;
    const char* time;
  };
  // The same instant, 2024-03-05 14:30 UTC, as charts in three zones show it.
  const Row rows[] = {{"America/Chicago", "08:30:00"},
                      {"America/New_York", "09:30:00"},
                      {"UTC", "14:30:00"},
                      {"Europe/Berlin", "15:30:00"}};
  for (const Row& r : rows) {
    SierraTextOptions o;
    o.time_zone = r.zone;
    const auto got = parse_sierra_text(
        kHeader + "2024/3/5, " + r.time + ", 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n", "z.txt", kEs,
        o);
    ASSERT_TRUE(got) << r.zone << ": " << got.error().message;
    EXPECT_EQ(got->front().ts, utc_0830()) << r.zone;
  }
  // Across the switch to daylight saving (Sunday 2024-03-10), New York times keep their UTC meaning.
  SierraTextOptions ny;
  ny.time_zone = "America/New_York";
  const auto dst = parse_sierra_text(
      kHeader + "2024/3/11, 09:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n", "z.txt", kEs, ny);
  ASSERT_TRUE(dst) << dst.error().message;
  EXPECT_EQ(dst->front().ts, core::Timestamp(date::sys_days(2024_y / 3 / 11)) + 13h + 30min);
  // A New York export (no rows 17:00-18:00 ET, the daily halt) read as Chicago time puts each day's
  // 16:00-17:00 rows in the halt: counted, so the log can say the zone is wrong.
  std::string text = kHeader;
  for (int h : {15, 16, 18})
    text += fmt::format("2024/3/5, {:02}:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n", h);
  const Built wrong = build(text);
  ASSERT_TRUE(wrong.status);
  EXPECT_EQ(wrong.rep.out_of_session, 1u);  // 16:30 read as CT
  const Built right = build(text, ny);
  ASSERT_TRUE(right.status);
  EXPECT_EQ(right.rep.out_of_session, 0u);  // 14:30, 15:30 and 17:30 CT
  EXPECT_EQ(right.rep.bar_records, 3u);
}

TEST(SierraText, UsesTheInstrumentsTickGrid) {
  const core::Instrument cl = core::find_instrument("CL")->instrument();
  const Built ok =
      build(kHeader + "2024/3/5, 08:30:00, 78.43, 78.50, 78.40, 78.45, 12, 5, 6, 6\n", {}, "1m", cl);
  ASSERT_TRUE(ok.status) << ok.status.error().message;
  ASSERT_EQ(ok.bars.size(), 1u);
  EXPECT_EQ(ok.bars[0].open, Ticks(7843));
  EXPECT_EQ(ok.bars[0].high, Ticks(7850));
  EXPECT_EQ(ok.bars[0].low, Ticks(7840));
  EXPECT_EQ(ok.bars[0].close, Ticks(7845));
  const Built off =
      build(kHeader + "2024/3/5, 08:30:00, 78.435, 78.50, 78.40, 78.45, 12, 5, 6, 6\n", {}, "1m", cl);
  ASSERT_FALSE(off.status);
  EXPECT_NE(off.status.error().message.find("x.txt:2:21: Open \"78.435\" is not on the 0.01 tick grid of CL"),
            std::string::npos)
      << off.status.error().message;
  // ES prices read as YM (1-point ticks) are off the grid.
  const Built ym = build(kHeader + "2024/3/5, 08:30:00, 5100.25, 5100.50, 5100.00, 5100.25, 10, 3, 4, 6\n",
                         {}, "1m", core::find_instrument("YM")->instrument());
  ASSERT_FALSE(ym.status);
  EXPECT_NE(ym.status.error().message.find("Open \"5100.25\" is not on the 1 tick grid of YM"),
            std::string::npos)
      << ym.status.error().message;
}

TEST(SierraText, RecognisesItsHeader) {
  struct Row {
    const char* line;
    bool is_export;
  };
  const Row rows[] = {
      {"Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume", true},
      {"Date,Time,Open,High,Low,Last,Volume", true},
      {"\xEF\xBB\xBF"
       "Date, Time, Open\r",
       true},
      {"Date\tTime\tOpen", true},
      {"date; time; open", true},
      {"Date,Open,High,Low,Close,Volume,Delta,CVD,TodayOpen,PrevHigh,PrevLow,VWAP,Price,Bid,Ask,TotalVolume",
       false},
      {",Date,Open", false},
      {"DateTime,Open", false},
      {"", false},
      {"Date Time Open", false},
  };
  for (const Row& r : rows) EXPECT_EQ(is_sierra_text_header(r.line), r.is_export) << r.line;
}

}  // namespace
}  // namespace daytrader::interop
