#pragma once
// Sierra Chart's own text export of chart bars (Chart >> Export Bar Data to Text File, and the
// "Write Bar and Study Data To File" study): one line per chart bar,
//
//   Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume
//   2024/3/4, 08:30:00, 5100.25, 5101.00, 5100.00, 5100.75, 1234, 321, 600, 634
//
// with a space after each comma. Accepted variants: dates 2024/3/4, 2024/03/04, 2024-03-04 or
// 2024-3-4; times 8:30:00 or 08:30:00, optionally with a fraction (08:30:00.018,
// 18:00:00.000000); comma, tab or semicolon between fields (the header's decides); a BOM; CRLF;
// the study's column names ("# of Trades", "Bid Volume", "Ask Volume"); further columns (OHLC
// Avg, study subgraphs) are ignored, and where a name repeats the first one counts.
//
// The times are in the chart's time zone (Sierra's Global Settings >> Time Zone, or the chart's
// own), which the file does not say: SierraTextOptions::time_zone names it (the CLI's
// --export-tz, by default the instrument's exchange zone). A row's time is its bar's start.
//
// Each row is a bar record, like a SCID bar record: it goes through
// bars::FootprintBuilder::on_bar_record, so the bars carry exactly the rows' OHLC, volume,
// bid/ask volume and trade count, while their footprints are approximate: the file has no
// volume at price, so each row's volume sits at its Last price (exact for a 1-tick chart).
//
// Checks, as for SCID and the original CSV: a malformed field is an error naming
// file:line:column, the column and the value; so is a price off the instrument's tick grid
// (text is exact: it means another instrument) and a row whose Open/Last lie outside Low..High.
// A price outside the band (0, negative, absurd) or Volume 0 skips the row, counted, the first
// few named; BidVolume + AskVolume above Volume is kept and counted (seen in real exports).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bars/footprint_builder.h"
#include "core/instrument.h"
#include "core/result.h"
#include "market/from_scid.h"

namespace daytrader::interop {

struct SierraTextOptions {
  std::string time_zone = "America/Chicago";  // the zone of the file's Date and Time
  market::PriceBand band;                     // prices accepted: min < price <= max
};

struct SierraTextRow {
  core::Timestamp ts;  // the bar's start, UTC
  core::Ticks open, high, low, last;
  std::uint32_t volume = 0;
  std::uint32_t num_trades = 0;
  std::uint32_t bid_volume = 0;
  std::uint32_t ask_volume = 0;
  std::uint64_t line = 0;
};

struct SierraTextReport {
  std::uint64_t rows = 0;                 // data lines read
  std::uint64_t bad_price = 0;            // rows with a price outside the band: skipped
  std::uint64_t zero_volume = 0;          // rows with Volume 0: skipped
  std::uint64_t sides_exceed_volume = 0;  // rows whose BidVolume + AskVolume > Volume: kept
  std::uint64_t backwards = 0;            // rows earlier than the row before them (kept; bars re-time them)
  // Filled by build_bars_from_sierra_text:
  std::uint64_t bar_records = 0;             // rows added to bars
  std::uint64_t out_of_session = 0;          // rows in a daily halt or weekend (a wrong time zone?)
  std::uint64_t out_of_range = 0;            // rows that would make a bar wider than the builder's limit
  std::vector<std::string> ignored_columns;  // header columns not read (study values, averages)
  std::vector<std::string> problems;         // the first few skipped or odd rows, with line and value
  [[nodiscard]] std::uint64_t skipped() const noexcept { return bad_price + zero_volume + out_of_range; }
};

// True when a file's first line is a Sierra Chart export header (its first two fields are Date
// and Time; the original system's CSV has no Time column).
[[nodiscard]] bool is_sierra_text_header(std::string_view first_line) noexcept;

using SierraRowSink = std::function<void(const SierraTextRow&)>;

// Parses `text` (named `source` in messages), calling `sink` for every usable row in file order.
[[nodiscard]] core::Status parse_sierra_text(std::string_view text, const std::string& source,
                                             const core::Instrument& instrument,
                                             const SierraTextOptions& options, const SierraRowSink& sink,
                                             SierraTextReport& report);

// Same, into a vector.
[[nodiscard]] core::Result<std::vector<SierraTextRow>> parse_sierra_text(std::string_view text,
                                                                         const std::string& source,
                                                                         const core::Instrument& instrument,
                                                                         const SierraTextOptions& options,
                                                                         SierraTextReport* report = nullptr);

// Reads the file at `path` and feeds every row to `builder` as a bar record, passing completed
// bars to `sink` (and the last bar, flushed, at the end).
[[nodiscard]] core::Status build_bars_from_sierra_text(const std::string& path,
                                                       const core::Instrument& instrument,
                                                       const SierraTextOptions& options,
                                                       bars::FootprintBuilder& builder,
                                                       const std::function<void(bars::FootprintBar&&)>& sink,
                                                       SierraTextReport& report);
// Same, from text in memory.
[[nodiscard]] core::Status build_bars_from_sierra_text(std::string_view text, const std::string& source,
                                                       const core::Instrument& instrument,
                                                       const SierraTextOptions& options,
                                                       bars::FootprintBuilder& builder,
                                                       const std::function<void(bars::FootprintBar&&)>& sink,
                                                       SierraTextReport& report);

}  // namespace daytrader::interop
