#pragma once
// The bracket attached to every entry: a profit target (limit) and a stop-loss (stop-market),
// both at fixed tick offsets from the entry's fill price, one cancelling the other.

#include <cstdint>

#include "core/ticks.h"
#include "exec/position.h"

namespace daytrader::exec {

struct BracketSpec {
  std::int64_t target_ticks = 10;  // profit target distance from the fill, > 0
  std::int64_t stop_ticks = 10;    // stop-loss distance from the fill, > 0
  bool operator==(const BracketSpec&) const = default;
};

// Absolute prices of a working bracket protecting a position of `side`.
struct Bracket {
  Side side = Side::kLong;
  core::Ticks target;  // long: above the fill; short: below
  core::Ticks stop;    // long: below the fill; short: above

  [[nodiscard]] static constexpr Bracket around(Side side, core::Ticks fill, BracketSpec spec) noexcept {
    const std::int64_t s = sign(side);
    return Bracket{side, fill + core::Ticks(spec.target_ticks * s), fill - core::Ticks(spec.stop_ticks * s)};
  }
  bool operator==(const Bracket&) const = default;
};

}  // namespace daytrader::exec
