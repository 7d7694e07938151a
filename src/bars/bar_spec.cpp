#include "bars/bar_spec.h"

#include <charconv>

#include <fmt/format.h>

namespace daytrader::bars {

core::Result<BarSpec> BarSpec::parse(const std::string& text) {
  auto fail = [&] {
    return core::Error{fmt::format(
        "bar period \"{}\" is not valid: expected a positive count with a unit, like 30s, 1m, 5m, "
        "1h, v500 (volume) or t1000 (trades)", text)};
  };
  if (text.size() < 2) return fail();
  BarSpec spec;
  std::string_view digits(text);
  std::int64_t unit = 1;
  if (text.front() == 'v' || text.front() == 't') {
    spec.kind = text.front() == 'v' ? BarKind::kVolume : BarKind::kTick;
    digits.remove_prefix(1);
  } else {
    spec.kind = BarKind::kTime;
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      default: return fail();
    }
    digits.remove_suffix(1);
  }
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || n <= 0 || n > 100'000'000)
    return fail();
  spec.size = n * unit;
  if (spec.kind == BarKind::kTime && (spec.size > 86'400 || 86'400 % spec.size != 0))
    return core::Error{fmt::format(
        "bar period \"{}\" must divide a day evenly so that bars align the same way every session",
        text)};
  return spec;
}

std::string BarSpec::to_string() const {
  switch (kind) {
    case BarKind::kVolume: return fmt::format("v{}", size);
    case BarKind::kTick: return fmt::format("t{}", size);
    case BarKind::kTime:
      if (size % 3600 == 0) return fmt::format("{}h", size / 3600);
      if (size % 60 == 0) return fmt::format("{}m", size / 60);
      return fmt::format("{}s", size);
  }
  return "?";
}

}  // namespace daytrader::bars
