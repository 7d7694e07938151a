#pragma once
// The intraday shape of the order arrival rate: quiet overnight, a bump at the European open and
// at 07:30 CT releases, and a U over regular trading hours (spike at the 08:30 open, a midday
// lull, a rise into the 15:00 close).

#include <vector>

#include "gen/generator_config.h"

namespace daytrader::gen {

// RTH in minutes after local midnight (Central time).
inline constexpr int kRthOpenMinute = 8 * 60 + 30;
inline constexpr int kRthCloseMinute = 15 * 60;

// Relative activity at a Central wall-clock time, `minute_of_day` in [0, 1440) (fractional
// minutes allowed). Not normalised.
[[nodiscard]] double activity_at(const GeneratorConfig& config, double minute_of_day) noexcept;

// Weights of the `minutes` one-minute slots of a session opening at local minute
// `open_minute_of_day`, evaluated at the middle of each slot and normalised to sum to 1.
[[nodiscard]] std::vector<double> session_profile(const GeneratorConfig& config,
                                                  int open_minute_of_day, int minutes);

}  // namespace daytrader::gen
