#pragma once
// Time is UTC nanoseconds since the Unix epoch, as a std::chrono time point so that
// date/tz can convert it to exchange time and so that it cannot be mixed with durations.

#include <chrono>
#include <cstdint>
#include <string>

namespace daytrader::core {

using Nanoseconds = std::chrono::nanoseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Nanoseconds>;

[[nodiscard]] constexpr Timestamp from_unix_ns(std::int64_t ns) noexcept {
  return Timestamp(Nanoseconds(ns));
}
[[nodiscard]] constexpr std::int64_t to_unix_ns(Timestamp t) noexcept {
  return t.time_since_epoch().count();
}

// "2024-03-15T13:30:00.000000000Z"
[[nodiscard]] std::string format_utc(Timestamp t);

}  // namespace daytrader::core
