#pragma once
// Which way a position faces, and the position itself: signed contracts at an average entry price.

#include <cstdint>
#include <string_view>

#include "core/ticks.h"
#include "core/timestamp.h"

namespace daytrader::exec {

// The direction of a position or a trade. The value is the sign of the quantity.
enum class Side : std::int8_t { kLong = 1, kShort = -1 };

// The direction of an order: a buy opens a long or closes a short.
enum class OrderSide : std::int8_t { kBuy = 1, kSell = -1 };

[[nodiscard]] constexpr std::int64_t sign(Side s) noexcept {
  return static_cast<std::int64_t>(s);
}
[[nodiscard]] constexpr std::int64_t sign(OrderSide s) noexcept {
  return static_cast<std::int64_t>(s);
}
// The order that opens a position of this side, and the one that closes it.
[[nodiscard]] constexpr OrderSide opening_order(Side s) noexcept {
  return s == Side::kLong ? OrderSide::kBuy : OrderSide::kSell;
}
[[nodiscard]] constexpr OrderSide closing_order(Side s) noexcept {
  return s == Side::kLong ? OrderSide::kSell : OrderSide::kBuy;
}
[[nodiscard]] constexpr std::string_view to_string(Side s) noexcept {
  return s == Side::kLong ? "long" : "short";
}
[[nodiscard]] constexpr std::string_view to_string(OrderSide s) noexcept {
  return s == OrderSide::kBuy ? "buy" : "sell";
}

// An open position: `quantity` contracts (+ long, - short, 0 flat) entered at `entry_price`.
struct Position {
  core::Contracts quantity = 0;
  core::Ticks entry_price;
  core::Timestamp entry_time{};

  [[nodiscard]] constexpr bool is_flat() const noexcept { return quantity == 0; }
  [[nodiscard]] constexpr bool is_long() const noexcept { return quantity > 0; }
  [[nodiscard]] constexpr bool is_short() const noexcept { return quantity < 0; }
  // Only meaningful when not flat.
  [[nodiscard]] constexpr Side side() const noexcept { return quantity > 0 ? Side::kLong : Side::kShort; }
  [[nodiscard]] constexpr std::int64_t abs_quantity() const noexcept {
    return quantity < 0 ? -static_cast<std::int64_t>(quantity) : quantity;
  }
  // Price move in the position's favour, in ticks per contract, if it were closed at `price`.
  [[nodiscard]] constexpr core::Ticks favourable_move(core::Ticks price) const noexcept {
    return is_flat() ? core::Ticks(0) : (price - entry_price) * sign(side());
  }
};

}  // namespace daytrader::exec
