#include "interop/original_csv.h"

#include <gtest/gtest.h>

#include <date/date.h>

#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "bars/footprint_builder.h"

namespace daytrader::interop {
namespace {

using namespace date::literals;
using namespace std::chrono_literals;

const core::SessionCalendar& cal() { return core::SessionCalendar::cme_globex(); }
const core::Instrument kEs = core::Instrument::es();

const std::string kSample = std::string(DAYTRADER_TEST_DATA_DIR) + "/ES_tuples_sample.csv";

TEST(OriginalCsv, ImportsTheOriginalSystemsFile) {
  CsvImportReport report;
  CsvImportOptions keep;
  keep.recompute_studies = false;
  auto bars = import_original_csv(kSample, kEs, cal(), keep, &report);
  ASSERT_TRUE(bars) << bars.error().message;
  EXPECT_EQ(report.rows, 7u);
  ASSERT_EQ(bars->size(), 3u);
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  const auto& b = (*bars)[0];
  // 08:30 Central on 2024-03-05 (CST) is 14:30 UTC.
  EXPECT_EQ(core::format_utc(b.open_time), "2024-03-05T14:30:00.000000000Z");
  EXPECT_EQ(b.close_time, b.open_time + 60s);
  EXPECT_EQ(b.trade_date, date::sys_days(2024_y / 3 / 5).time_since_epoch().count());
  EXPECT_EQ(b.open, core::Ticks(20401));
  EXPECT_EQ(b.high, core::Ticks(20404));
  EXPECT_EQ(b.low, core::Ticks(20400));
  EXPECT_EQ(b.volume, 60u);
  EXPECT_EQ(b.bid_volume, 25u);
  EXPECT_EQ(b.ask_volume, 35u);
  EXPECT_EQ(b.num_trades, 17u);
  ASSERT_EQ(b.levels.size(), 4u);
  EXPECT_EQ(b.levels[2], (bars::PriceLevel{core::Ticks(20403), 0, 20, 20, 5}));
  EXPECT_EQ(b.studies.cum_delta, 10);
  EXPECT_EQ(b.studies.prev_high, core::Ticks(20482));
  EXPECT_TRUE(b.studies.has_prev_session);
  EXPECT_DOUBLE_EQ(b.studies.vwap, 5100.5 * 4);
  EXPECT_EQ((*bars)[2].studies.cum_delta, -3);
  EXPECT_EQ((*bars)[1].index_in_session, 1);
}

TEST(OriginalCsv, RecomputesStudiesByDefault) {
  auto bars = import_original_csv(kSample, kEs, cal(), CsvImportOptions{});
  ASSERT_TRUE(bars) << bars.error().message;
  const auto& b = (*bars)[0];
  EXPECT_EQ(b.studies.delta, 10);
  EXPECT_EQ(b.studies.session_open, core::Ticks(20401));
  EXPECT_FALSE(b.studies.has_prev_session);  // the file holds only one session
  EXPECT_DOUBLE_EQ(b.studies.vwap, (20400.0 * 15 + 20401.0 * 15 + 20403.0 * 20 + 20404.0 * 10) / 60.0);
  EXPECT_EQ((*bars)[1].studies.cum_delta, -10);
}

TEST(OriginalCsv, ExportThenImportGivesTheSameBarsAndTheSameText) {
  // Bars from the trade builder, across two sessions, with studies of every kind.
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60});
  std::mt19937_64 rng(3);
  core::Timestamp t = cal().to_utc(date::local_days(2024_y / 3 / 7), 14h);
  std::vector<bars::FootprintBar> bars;
  std::int64_t price = 20400;
  for (int i = 0; i < 30000; ++i) {
    t += std::chrono::milliseconds(rng() % 5000);
    price += static_cast<std::int64_t>(rng() % 5) - 2;
    const auto size = static_cast<std::uint32_t>(1 + rng() % 9);
    const bool at_ask = rng() % 2;
    if (auto bar = builder.on_trade({t, core::Ticks(price), size, at_ask ? 0 : size, at_ask ? size : 0, 1}))
      bars.push_back(std::move(*bar));
  }
  if (auto bar = builder.flush()) bars.push_back(std::move(*bar));
  ASSERT_GT(builder.stats().sessions, 1u);

  const std::string text = format_original_csv(bars, kEs, cal());
  CsvImportReport report;
  auto back = parse_original_csv(text, "roundtrip.csv", kEs, cal(), CsvImportOptions{}, &report);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(report.warnings.empty());
  ASSERT_EQ(back->size(), bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    // The last bar of each session is cut at 16:00; the file only knows the period.
    bars::FootprintBar expected = bars[i];
    expected.close_time = expected.open_time + 60s;
    ASSERT_EQ((*back)[i], expected) << "bar " << i;
  }
  EXPECT_EQ(format_original_csv(*back, kEs, cal()), text);
  CsvImportOptions keep;
  keep.recompute_studies = false;
  auto kept = parse_original_csv(text, "roundtrip.csv", kEs, cal(), keep);
  ASSERT_TRUE(kept);
  EXPECT_EQ(format_original_csv(*kept, kEs, cal()), text);
}

TEST(OriginalCsv, ReportsBadRowsWithLineAndColumn) {
  const std::string header =
      "Date,Open,High,Low,Close,Volume,Delta,CVD,TodayOpen,PrevHigh,PrevLow,VWAP,Price,Bid,Ask,TotalVolume,"
      "NumberOfTrades\n";
  const std::string good = "2024-03-05 08:30:00,5100.25,5101.0,5100.0,5100.75,15,-5,-5,5100.25,0,0,5100.0,";
  struct Row { const char* name; std::string body; const char* expected; };
  const Row rows[] = {
      {"bad number", good + "50a0.25,10,5,15,4\n", "line 2, column Price: \"50a0.25\" is not a number"},
      {"off grid", good + "5100.1,10,5,15,4\n", "line 2, column Price: \"5100.1\" is not on the 0.25 tick grid"},
      {"empty", good + "5100.0,,5,15,4\n", "line 2, column Bid: \"\" is empty (expected an integer)"},
      {"negative", good + "5100.0,10,-5,15,4\n", "line 2, column Ask: \"-5\" is outside 0..2147483647"},
      {"fields", good + "5100.0,10,5,15\n", "line 2: 16 fields, expected 17 like the header"},
      {"date", "2024-13-05 08:30:00" + good.substr(19) + "5100.0,10,5,15,4\n",
       "line 2, column Date: \"2024-13-05 08:30:00\" is not a valid date and time"},
      {"date shape", "05/03/2024 08:30" + good.substr(19) + "5100.0,10,5,15,4\n",
       "line 2, column Date: \"05/03/2024 08:30\" is not a date and time like"},
      {"price order", good + "5100.25,10,5,15,4\n" + good + "5100.0,0,0,0,0\n",
       "line 3, column Price: \"5100.0\" is not above the previous level of the same bar"},
      {"date order", good + "5100.0,10,5,15,4\n2024-03-05 08:29:00" + good.substr(19) + "5100.0,1,1,2,1\n",
       "line 3, column Date: \"2024-03-05 08:29:00\" is not after the previous bar's Date"},
      {"repeat differs", good + "5100.0,10,5,15,4\n2024-03-05 08:30:00,5100.25,5101.0,5100.0,5100.75,16," +
                             "-5,-5,5100.25,0,0,5100.0,5100.25,1,1,2,1\n",
       "line 3, column Volume: \"16\" differs from \"15\" on line 2, the first row of bar 2024-03-05 08:30:00"},
      {"ohlc", "2024-03-05 08:30:00,5100.25,5099.0,5100.0,5100.75,15,-5,-5,5100.25,0,0,5100.0,5100.0,10,5,15,4\n",
       "line 2: bar 2024-03-05 08:30:00 has Open/High/Low/Close 5100.25/5099.0/5100.0/5100.75"},
  };
  for (const Row& row : rows) {
    auto r = parse_original_csv(header + row.body, "ES_tuples.csv", kEs, cal(), CsvImportOptions{});
    ASSERT_FALSE(r) << row.name;
    EXPECT_NE(r.error().message.find(std::string("ES_tuples.csv: ") + row.expected), std::string::npos)
        << row.name << ": " << r.error().message;
  }
  auto missing = parse_original_csv("Date,Open\n", "x.csv", kEs, cal(), CsvImportOptions{});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("x.csv: line 1: missing column High"), std::string::npos);
  auto empty = parse_original_csv("", "e.csv", kEs, cal(), CsvImportOptions{});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("e.csv: the file is empty"), std::string::npos);
}

TEST(OriginalCsv, AcceptsPandasQuirks) {
  // An index column, CRLF line ends, a BOM and integers written as floats.
  const std::string text =
      "\xEF\xBB\xBF,Date,Open,High,Low,Close,Volume,Delta,CVD,TodayOpen,PrevHigh,PrevLow,VWAP,Price,Bid,Ask,"
      "TotalVolume,NumberOfTrades\r\n"
      "0,2024-03-05 08:30:00,5100.25,5101.0,5100.0,5100.75,15.0,-5.0,-5.0,5100.25,0,0,5100.0,5100.0,10.0,5.0,"
      "15.0,4.0\r\n";
  auto r = parse_original_csv(text, "pandas.csv", kEs, cal(), CsvImportOptions{});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].levels[0].volume, 15u);
}

TEST(OriginalCsv, WarnsWhenVolumeDisagreesWithLevels) {
  const std::string text =
      "Date,Open,High,Low,Close,Volume,Delta,CVD,TodayOpen,PrevHigh,PrevLow,VWAP,Price,Bid,Ask,TotalVolume,"
      "NumberOfTrades\n2024-03-05 08:30:00,5100.0,5100.0,5100.0,5100.0,99,0,0,5100.0,0,0,5100.0,5100.0,1,1,2,1\n";
  CsvImportReport report;
  auto r = parse_original_csv(text, "w.csv", kEs, cal(), CsvImportOptions{}, &report);
  ASSERT_TRUE(r);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("Volume 99 differs from the sum 2"), std::string::npos) << report.warnings[0];
}

}  // namespace
}  // namespace daytrader::interop

namespace daytrader::interop {
namespace {

const std::string kHeader =
    "Date,Open,High,Low,Close,Volume,Delta,CVD,TodayOpen,PrevHigh,PrevLow,VWAP,Price,Bid,Ask,TotalVolume,"
    "NumberOfTrades\n";

TEST(OriginalCsv, LeavesAMissingPreviousSessionEmptyAndReadsItBack) {
  const std::string row = "2024-03-05 08:30:00,5100.25,5100.25,5100.25,5100.25,4,0,0,5100.25,{},{},5100.25,"
                          "5100.25,2,2,4,1\n";
  struct Row { const char* name; std::string prev_high, prev_low; bool has_prev; };
  const Row rows[] = {
      {"empty (our export)", "", "", false},
      {"zero (older files)", "0", "0", false},
      {"prices", "5110", "5090.5", true},
  };
  CsvImportOptions keep;
  keep.recompute_studies = false;
  for (const Row& r : rows) {
    const std::string text = kHeader + fmt::format(fmt::runtime(row), r.prev_high, r.prev_low);
    auto bars = parse_original_csv(text, "p.csv", kEs, cal(), keep);
    ASSERT_TRUE(bars) << r.name << ": " << bars.error().message;
    ASSERT_EQ(bars->size(), 1u) << r.name;
    EXPECT_EQ((*bars)[0].studies.has_prev_session, r.has_prev) << r.name;
    // The export writes nothing (not 0) without a previous session.
    const std::string out = format_original_csv(*bars, kEs, cal());
    EXPECT_NE(out.find(r.has_prev ? ",5100.25,5110,5090.5,5100.25," : ",5100.25,,,5100.25,"), std::string::npos)
        << r.name << ": " << out;
  }
}

// Price 0, negative or absurd prices and levels without volume are skipped and counted, the first
// few named, as the SCID reader skips records with the same faults; a price off the grid stays an
// error (ReportsBadRowsWithLineAndColumn).
TEST(OriginalCsv, SkipsAndCountsBadPricesAndZeroVolumeLevelsLikeTheScidReader) {
  // Bar columns: Date, Open, High, Low, Close, Volume, Delta, CVD, TodayOpen, PrevHigh, PrevLow, VWAP.
  auto bar = [](const char* time, const char* open, const char* today_open, const char* prev_high,
                const char* prev_low) {
    return fmt::format("2024-03-05 {},{},5101.0,5100.0,5100.75,15,0,0,{},{},{},5100.5,", time, open, today_open,
                       prev_high, prev_low);
  };
  const std::string good0 = bar("08:30:00", "5100.25", "5100.25", "", "") + "5100.0,5,5,10,3\n" +
                            bar("08:30:00", "5100.25", "5100.25", "", "") + "5100.75,2,3,5,2\n";
  const std::string good2 = bar("08:32:00", "5100.25", "5100.25", "", "") + "5100.5,1,2,3,1\n";
  const std::string b1 = bar("08:31:00", "5100.25", "5100.25", "", "");
  struct Row {
    const char* name;
    std::string rows;  // the bar at 08:31 (lines 4 and 5)
    std::uint64_t CsvImportReport::*counter;
    std::uint64_t count;
    std::size_t bars;               // bars kept
    std::uint32_t second_bar_volume;  // of the 08:31 bar when kept
    const char* message;
  };
  const std::string b1_open0 = bar("08:31:00", "0", "5100.25", "", "");
  const std::string b1_today_neg = bar("08:31:00", "5100.25", "-5100.25", "", "");
  const std::string b1_prev_low0 = bar("08:31:00", "5100.25", "5100.25", "5110", "0");
  const Row rows[] = {
      {"Open 0", b1_open0 + "5100.0,5,5,10,3\n" + b1_open0 + "5100.75,2,3,5,2\n", &CsvImportReport::bad_price_bars, 1,
       2, 0,
       "b.csv: line 4, column Open: \"0\" is outside the accepted price band (0, 1000000]; bar 2024-03-05 08:31:00 "
       "skipped"},
      {"TodayOpen negative", b1_today_neg + "5100.0,5,5,10,3\n" + b1_today_neg + "5100.75,2,3,5,2\n",
       &CsvImportReport::bad_price_rows, 2, 2, 0, "b.csv: line 4, column TodayOpen: \"-5100.25\" is outside"},
      {"PrevLow 0 beside a PrevHigh", b1_prev_low0 + "5100.0,5,5,10,3\n" + b1_prev_low0 + "5100.75,2,3,5,2\n",
       &CsvImportReport::bad_price_bars, 1, 2, 0, "b.csv: line 4, column PrevLow: \"0\" is outside"},
      {"level price 0", b1 + "0,5,5,10,3\n" + b1 + "5100.75,2,3,5,2\n", &CsvImportReport::bad_price_levels, 1, 3, 5,
       "b.csv: line 4, column Price: \"0\" is outside the accepted price band (0, 1000000]; row skipped"},
      {"level price negative", b1 + "-5,5,5,10,3\n" + b1 + "5100.75,2,3,5,2\n", &CsvImportReport::bad_price_levels, 1,
       3, 5, "b.csv: line 4, column Price: \"-5\" is outside"},
      {"level price absurd", b1 + "5100.0,5,5,10,3\n" + b1 + "2000000,2,3,5,2\n", &CsvImportReport::bad_price_levels,
       1, 3, 10, "b.csv: line 5, column Price: \"2000000\" is outside"},
      {"zero-volume level", b1 + "5100.0,0,0,0,0\n" + b1 + "5100.75,2,3,5,2\n", &CsvImportReport::zero_volume_levels, 1,
       3, 5,
       "b.csv: line 4, column TotalVolume: \"0\" is a level without volume (no contract traded); row skipped"},
      {"no level left", b1 + "5100.0,0,0,0,0\n" + b1 + "5100.75,0,0,0,1\n", &CsvImportReport::empty_bars, 1, 2, 0,
       "b.csv: line 4: bar 2024-03-05 08:31:00 has no usable level left; skipped"},
  };
  for (const Row& r : rows) {
    CsvImportReport report;
    auto bars = parse_original_csv(kHeader + good0 + r.rows + good2, "b.csv", kEs, cal(), CsvImportOptions{}, &report);
    ASSERT_TRUE(bars) << r.name << ": " << bars.error().message;
    EXPECT_EQ(report.*r.counter, r.count) << r.name;
    EXPECT_EQ(report.rows, 5u) << r.name;
    ASSERT_EQ(bars->size(), r.bars) << r.name;
    if (r.bars == 3) {
      EXPECT_EQ((*bars)[1].volume, r.second_bar_volume) << r.name;
    }
    EXPECT_EQ(bars->front().volume, 15u) << r.name;
    EXPECT_EQ(bars->back().volume, 3u) << r.name;
    std::string problems;
    for (const auto& p : report.problems) problems += p + "\n";
    EXPECT_NE(problems.find(r.message), std::string::npos) << r.name << ": " << problems;
  }
  // The band is the caller's (--min-price / --max-price), as for SCID input.
  CsvImportOptions narrow;
  narrow.band = {5100.0, 6000.0};  // Low 5100.0 is not above 5100.0
  CsvImportReport report;
  auto bars = parse_original_csv(kHeader + good0 + good2, "b.csv", kEs, cal(), narrow, &report);
  ASSERT_TRUE(bars) << bars.error().message;
  EXPECT_EQ(report.bad_price_bars, 2u);
  EXPECT_EQ(report.bad_price_rows, 3u);
  EXPECT_EQ(report.skipped_rows(), 3u);
  EXPECT_TRUE(bars->empty());
  EXPECT_NE(report.problems.front().find("b.csv: line 2, column Low: \"5100.0\" is outside the accepted price band "
                                         "(5100, 6000]"),
            std::string::npos)
      << report.problems.front();
}

TEST(OriginalCsv, RefusesDatesOutsideTheYearsSessionsAndExistingLocalTimes) {
  struct Row { const char* name; const char* date; const char* message; };
  const Row rows[] = {
      {"year 9999", "9999-12-31 08:30:00", "\"9999-12-31 08:30:00\" is outside the supported years 1970..2200"},
      {"year 1816", "1816-01-02 08:30:00", "is outside the supported years"},
      {"Saturday", "2024-03-09 10:00:00", "\"2024-03-09 10:00:00\" is outside every CME session (weekend or daily halt)"},
      {"daily halt", "2024-03-05 16:30:00", "is outside every CME session"},
      {"spring-forward hour", "2024-03-10 02:30:00", "does not exist in exchange time America/Chicago"},
  };
  for (const Row& r : rows) {
    const std::string text = kHeader + r.date +
                             ",5100.25,5100.25,5100.25,5100.25,4,0,0,5100.25,,,5100.25,5100.25,2,2,4,1\n";
    auto bars = parse_original_csv(text, "d.csv", kEs, cal(), CsvImportOptions{});
    ASSERT_FALSE(bars) << r.name;
    EXPECT_NE(bars.error().message.find(std::string("d.csv: line 2, column Date: ")), std::string::npos)
        << r.name << ": " << bars.error().message;
    EXPECT_NE(bars.error().message.find(r.message), std::string::npos) << r.name << ": " << bars.error().message;
  }
}

}  // namespace
}  // namespace daytrader::interop
