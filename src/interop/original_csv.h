#pragma once
// The original Python system's bar file, ES_tuples.csv: one row per bar and traded price level,
// the bar's columns repeated on each of its rows, sorted by Date then Price.
//
//   Date,Open,High,Low,Close,Volume,Delta,CVD,TodayOpen,PrevHigh,PrevLow,VWAP,
//   Price,Bid,Ask,TotalVolume,NumberOfTrades
//
// Date is the bar's start in exchange time ("YYYY-MM-DD HH:MM:SS"); prices are index points;
// Bid/Ask are the volumes traded at the bid/ask at that price (not prices).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bars/bar_spec.h"
#include "bars/footprint_bar.h"
#include "core/instrument.h"
#include "core/result.h"
#include "core/session_calendar.h"
#include "market/from_scid.h"

namespace daytrader::interop {

inline constexpr const char* kOriginalColumns[] = {
    "Date",  "Open",     "High",    "Low",  "Close", "Volume", "Delta", "CVD",         "TodayOpen",
    "PrevHigh", "PrevLow", "VWAP", "Price", "Bid",   "Ask",    "TotalVolume", "NumberOfTrades"};

struct CsvImportOptions {
  bars::BarSpec bar{bars::BarKind::kTime, 60};  // the period of the bars in the file
  // Recompute delta, CVD, TodayOpen, PrevHigh/Low and VWAP with our own studies (default), so a
  // model sees exactly what live trading computes; false keeps the file's values.
  bool recompute_studies = true;
  // Prices accepted, as for SCID input: min_price < price <= max_price (0 and negative prices
  // are outside). A bar with a price outside is skipped with all its rows, a level row with one
  // is skipped; both are counted and the first few named in the report.
  market::PriceBand band;
};

struct CsvImportReport {
  std::uint64_t rows = 0;
  std::uint64_t bars = 0;
  std::vector<std::string> warnings;  // the first few, e.g. a bar whose Volume != sum of levels
  // Rows skipped, as the SCID reader skips records with the same faults (counted, first few named):
  std::uint64_t bad_price_bars = 0;      // bars whose Open/High/Low/Close/TodayOpen/PrevHigh/PrevLow
                                         // is outside the band: every row of the bar skipped
  std::uint64_t bad_price_rows = 0;      // rows of those bars
  std::uint64_t bad_price_levels = 0;    // level rows whose Price is outside the band
  std::uint64_t zero_volume_levels = 0;  // level rows with TotalVolume 0 (a trade of no contracts)
  std::uint64_t empty_bars = 0;          // bars left without a level by the skips above
  std::vector<std::string> problems;     // the first few skipped rows: line, column, value
  [[nodiscard]] std::uint64_t skipped_rows() const noexcept {
    return bad_price_rows + bad_price_levels + zero_volume_levels;
  }
};

// Reads the whole file. Errors name the file, the line and the column:
// "ES_tuples.csv: line 17, column Price: \"50a0.25\" is not a number". A price off the tick grid
// is an error (the text is exact, so it means another instrument); prices outside the band and
// levels without volume are skipped and counted (CsvImportReport).
[[nodiscard]] core::Result<std::vector<bars::FootprintBar>> import_original_csv(
    const std::string& path, const core::Instrument& instrument,
    const core::SessionCalendar& calendar, const CsvImportOptions& options,
    CsvImportReport* report = nullptr);

// Same, from text already in memory; `source` names it in messages.
[[nodiscard]] core::Result<std::vector<bars::FootprintBar>> parse_original_csv(
    std::string_view text, const std::string& source, const core::Instrument& instrument,
    const core::SessionCalendar& calendar, const CsvImportOptions& options,
    CsvImportReport* report = nullptr);

// Writes bars in the original format (exchange-time dates, prices in points).
[[nodiscard]] core::Status export_original_csv(const std::string& path,
                                               const std::vector<bars::FootprintBar>& bars,
                                               const core::Instrument& instrument,
                                               const core::SessionCalendar& calendar);
[[nodiscard]] std::string format_original_csv(const std::vector<bars::FootprintBar>& bars,
                                              const core::Instrument& instrument,
                                              const core::SessionCalendar& calendar);

}  // namespace daytrader::interop
