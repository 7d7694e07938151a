#pragma once
// What closes a bar: a time period (aligned to the session open in exchange time), a volume or a
// number of trades. Bars never span two sessions.

#include <cstdint>
#include <string>

#include "core/result.h"

namespace daytrader::bars {

enum class BarKind : std::uint8_t { kTime = 0, kVolume = 1, kTick = 2 };

struct BarSpec {
  BarKind kind = BarKind::kTime;
  std::int64_t size = 60;  // seconds, contracts or trades

  // "1m", "5m", "30s", "1h", "v500" (500 contracts), "t1000" (1000 trades).
  [[nodiscard]] static core::Result<BarSpec> parse(const std::string& text);
  [[nodiscard]] std::string to_string() const;
  bool operator==(const BarSpec&) const = default;
};

}  // namespace daytrader::bars
