#pragma once
// A footprint bar: OHLC, volume and trades, volume at each traded price split into volume at the
// bid (seller-initiated) and at the ask (buyer-initiated), and the session studies as of its close.

#include <cstdint>
#include <vector>

#include "core/ticks.h"
#include "core/timestamp.h"

namespace daytrader::bars {

struct PriceLevel {
  core::Ticks price;
  std::uint32_t bid_volume = 0;  // traded at the bid or lower: aggressive sellers
  std::uint32_t ask_volume = 0;  // traded at the ask or higher: aggressive buyers
  std::uint32_t volume = 0;      // total; >= bid + ask (unclassified volume counts here only)
  std::uint32_t trades = 0;
  bool operator==(const PriceLevel&) const = default;
};

// Studies of the session (CME trade date) the bar belongs to, through the bar's close.
struct BarStudies {
  std::int64_t delta = 0;         // ask volume - bid volume of this bar
  std::int64_t cum_delta = 0;     // sum of delta over the session's bars so far (CVD)
  core::Ticks session_open;       // first trade price of the session (TodayOpen)
  core::Ticks session_high;       // session high and low through this bar
  core::Ticks session_low;
  bool has_prev_session = false;  // false on the first session of a data set
  core::Ticks prev_high;          // high and low of the previous session with data
  core::Ticks prev_low;
  double vwap = 0;                // session volume-weighted average price, in ticks
  bool operator==(const BarStudies&) const = default;
};

struct FootprintBar {
  core::Timestamp open_time;     // start of the bar's period (UTC)
  core::Timestamp close_time;    // end of the period, exclusive; the decision time of the bar
  std::int32_t trade_date = 0;   // CME trade date, days since 1970-01-01
  std::int32_t index_in_session = 0;  // 0 for the session's first bar
  core::Ticks open;
  core::Ticks high;
  core::Ticks low;
  core::Ticks close;
  std::uint64_t volume = 0;
  std::uint64_t bid_volume = 0;
  std::uint64_t ask_volume = 0;
  std::uint32_t num_trades = 0;
  BarStudies studies;
  std::vector<PriceLevel> levels;  // traded prices only, ascending

  bool operator==(const FootprintBar&) const = default;
};

}  // namespace daytrader::bars
