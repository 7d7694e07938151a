#pragma once
// Hand-made footprint bars for the features tests.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bars/footprint_bar.h"
#include "core/ticks.h"

namespace daytrader::features::testing {

// One traded price: volume at the bid and at the ask; total = bid + ask + unclassified.
struct L {
  std::int64_t price;
  std::uint32_t bid;
  std::uint32_t ask;
  std::uint32_t unclassified = 0;
};

inline std::vector<bars::PriceLevel> levels_of(std::initializer_list<L> ls) {
  std::vector<bars::PriceLevel> out;
  for (const L& l : ls)
    out.push_back({core::Ticks(l.price), l.bid, l.ask, l.bid + l.ask + l.unclassified, 1});
  return out;
}

// A bar whose OHLC, volumes and trades agree with its levels; open = low, close = high unless
// the test sets them. Studies are left at their defaults.
inline bars::FootprintBar bar_of(std::initializer_list<L> ls) {
  bars::FootprintBar b;
  b.levels = levels_of(ls);
  if (b.levels.empty()) return b;
  b.low = b.open = b.levels.front().price;
  b.high = b.close = b.levels.back().price;
  for (const auto& l : b.levels) {
    b.volume += l.volume;
    b.bid_volume += l.bid_volume;
    b.ask_volume += l.ask_volume;
    b.num_trades += l.trades;
  }
  b.studies.delta = static_cast<std::int64_t>(b.ask_volume) - static_cast<std::int64_t>(b.bid_volume);
  return b;
}

// "100:3/4 101:0/5": price:bid/ask of every level, for failure messages.
inline std::string describe_levels(const std::vector<bars::PriceLevel>& levels) {
  std::string s;
  for (const auto& l : levels)
    s += fmt::format("{}{}:{}/{}", s.empty() ? "" : " ", l.price.count(), l.bid_volume, l.ask_volume);
  return s;
}

}  // namespace daytrader::features::testing
