#pragma once
// Runs SCID records through the trade adapter into a FootprintBuilder: the offline path from a
// Sierra Chart file to bars. Live trading feeds the same builder from DTC trades instead.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bars/footprint_builder.h"
#include "core/instrument.h"
#include "market/from_scid.h"
#include "scid/scid_format.h"

namespace daytrader::bars {

struct ScidBuildReport {
  std::uint64_t records = 0;
  std::uint64_t trades = 0;
  std::uint64_t quotes = 0;
  std::uint64_t bar_records = 0;  // of `trades`, aggregated (non-tick) records: exact OHLC and totals
  std::uint64_t skipped = 0;      // empty records
  std::uint64_t bad_price = 0;    // a price off the tick grid, not finite or outside the band: skipped
  std::uint64_t bad_time = 0;     // undecodable DateTime or one past 2262: skipped
  std::uint64_t zero_volume = 0;  // a trade or bar record with TotalVolume 0: skipped
  std::uint64_t out_of_range = 0; // a record that would stretch a bar past the builder's max range
  std::vector<std::string> problems;  // the first few bad records, with index and value
};

using BarSink = std::function<void(FootprintBar&&)>;
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Feeds every record to `builder`, passing completed bars to `sink`, and flushes the last bar
// when `flush_at_end`. `source` names the file in problem messages.
// Bar records go through FootprintBuilder::on_bar_record (exact OHLC and totals, volume at the
// close). Prices outside `band` are bad records, counted and named in `problems`.
ScidBuildReport build_bars_from_scid(std::span<const scid::Record> records,
                                     const core::Instrument& instrument, FootprintBuilder& builder,
                                     const BarSink& sink, bool flush_at_end = true,
                                     const std::string& source = {}, const Progress& progress = {},
                                     const market::PriceBand& band = {});

// Total problems behind a report's counts (bad price, bad time, zero volume, out of range).
[[nodiscard]] std::uint64_t bad_records(const ScidBuildReport& rep) noexcept;

}  // namespace daytrader::bars
