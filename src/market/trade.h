#pragma once
// Trade and Quote: the seam between data sources (SCID files, DTC streams, CSV) and everything
// after them. Nothing downstream knows where a trade came from.

#include <cstdint>

#include "core/ticks.h"
#include "core/timestamp.h"

namespace daytrader::market {

// One print (or an aggregated print when the source only has bars). Volume at the bid is
// seller-initiated (hit the bid), volume at the ask is buyer-initiated (lifted the offer);
// bid_volume + ask_volume may be less than volume when a source does not classify trades.
struct Trade {
  core::Timestamp ts;
  core::Ticks price;
  std::uint32_t volume = 0;
  std::uint32_t bid_volume = 0;
  std::uint32_t ask_volume = 0;
  std::uint32_t num_trades = 1;
};

struct Quote {
  core::Timestamp ts;
  core::Ticks bid;
  core::Ticks ask;
};

}  // namespace daytrader::market
