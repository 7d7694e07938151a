#pragma once
// Price in integer ticks of an instrument (ES: 1 tick = 0.25 index points = $12.50).
// A strong type so that a price can never be mixed with a quantity or a double by accident.

#include <compare>
#include <cstdint>
#include <functional>

namespace daytrader::core {

class Ticks {
 public:
  constexpr Ticks() noexcept = default;
  constexpr explicit Ticks(std::int64_t count) noexcept : count_(count) {}

  [[nodiscard]] constexpr std::int64_t count() const noexcept { return count_; }

  constexpr auto operator<=>(const Ticks&) const noexcept = default;

  constexpr Ticks& operator+=(Ticks o) noexcept { count_ += o.count_; return *this; }
  constexpr Ticks& operator-=(Ticks o) noexcept { count_ -= o.count_; return *this; }
  friend constexpr Ticks operator+(Ticks a, Ticks b) noexcept { return Ticks(a.count_ + b.count_); }
  friend constexpr Ticks operator-(Ticks a, Ticks b) noexcept { return Ticks(a.count_ - b.count_); }
  friend constexpr Ticks operator-(Ticks a) noexcept { return Ticks(-a.count_); }
  friend constexpr Ticks operator*(Ticks a, std::int64_t k) noexcept { return Ticks(a.count_ * k); }
  friend constexpr Ticks operator*(std::int64_t k, Ticks a) noexcept { return Ticks(a.count_ * k); }

 private:
  std::int64_t count_ = 0;
};

// Signed number of contracts: positive long, negative short.
using Contracts = std::int32_t;

// Money in integer cents; dollars appear only in reports.
using Cents = std::int64_t;

}  // namespace daytrader::core

template <>
struct std::hash<daytrader::core::Ticks> {
  std::size_t operator()(daytrader::core::Ticks t) const noexcept {
    return std::hash<std::int64_t>{}(t.count());
  }
};
