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
#include "scid/scid_format.h"

namespace daytrader::bars {

struct ScidBuildReport {
  std::uint64_t records = 0;
  std::uint64_t trades = 0;
  std::uint64_t quotes = 0;
  std::uint64_t skipped = 0;      // empty records
  std::uint64_t bad_price = 0;    // trade price off the tick grid or not finite: skipped
  std::uint64_t bad_time = 0;     // undecodable DateTime: skipped
  std::vector<std::string> problems;  // the first few bad records, with index and value
};

using BarSink = std::function<void(FootprintBar&&)>;
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Feeds every record to `builder`, passing completed bars to `sink`, and flushes the last bar
// when `flush_at_end`. `source` names the file in problem messages.
ScidBuildReport build_bars_from_scid(std::span<const scid::Record> records,
                                     const core::Instrument& instrument, FootprintBuilder& builder,
                                     const BarSink& sink, bool flush_at_end = true,
                                     const std::string& source = {}, const Progress& progress = {});

}  // namespace daytrader::bars
