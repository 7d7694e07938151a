#pragma once
// Integer formatting for the lines a user reads.

#include <cstdint>
#include <string>

namespace daytrader::core {

// 1234567 -> "1,234,567"
[[nodiscard]] inline std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// -1234 -> "-1,234", 1234 -> "+1,234"
[[nodiscard]] inline std::string signed_thousands(std::int64_t n) {
  return n < 0 ? "-" + thousands(static_cast<std::uint64_t>(-n)) : "+" + thousands(static_cast<std::uint64_t>(n));
}

}  // namespace daytrader::core
