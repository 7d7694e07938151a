#pragma once
// How orders fill against bars (OHLC in ticks), the same way for training, backtests and the
// DTC simulator. Only prices a bar actually reached are used, and nothing is assumed about the
// order of the high and the low inside a bar beyond the conservative rules below.
//
// - A market order sent at a bar's close fills at the NEXT bar's open, `slippage_ticks` against
//   the order (a buy pays open + slippage, a sell receives open - slippage).
// - A bracket is checked on every bar after the entry, starting with the fill bar itself (its
//   prices after the open; the open was the entry's fill):
//   * the open already through the stop (a gap): the stop fills at the open, with slippage;
//   * the open already through the target: the target fills at its own price (a resting limit
//     trades first; no price improvement is assumed);
//   * otherwise the stop is hit when the bar's low (long) / high (short) reaches it and fills at
//     the stop price with slippage; the target fills at the target price (a limit: no slippage)
//     by the LimitFillRule below;
//   * both reachable in the same bar: the bar's path is unknown, so the stop is assumed.
//
// A resting limit (the target, or any limit in serve's bar mode) fills by a rule:
// - kThrough (the default): the bar trades at least one tick beyond the limit (a sell limit at
//   5101.00 fills when the high reaches 5101.25). Trading through a price means the whole queue
//   there traded, ours included, so this rule never fills an order that might not have filled.
// - kTouch: the bar reaches the limit price. Optimistic: at the touch only the front of the
//   queue trades, and a backtest with this rule books exactly the trades that barely made it.
// A gap (the bar opening beyond the limit by the rule's margin) fills at the limit's price, at
// the open.
// - kBarBestForTests: a deliberate error, never accepted from configuration: the target fills at
//   the bar's best price (a long's at the high, a short's at the low) on any bar that trades
//   beyond the middle of the bracket (the entry, for a symmetric bracket). It is what a backtest
//   that "sells at the high" books, and it exists so that the null-market test
//   (tests/pipeline/null_market_test.cpp) can show it catches an optimistic fill.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/ticks.h"
#include "exec/bracket.h"
#include "exec/closed_trade.h"
#include "exec/position.h"

namespace daytrader::exec {

struct BarPrices {
  core::Ticks open;
  core::Ticks high;
  core::Ticks low;
  core::Ticks close;
};

// A bracket order that filled within a bar.
struct BracketFill {
  ExitReason reason = ExitReason::kStop;  // kTarget or kStop
  core::Ticks price;
  bool at_open = false;  // filled at the bar's open (a gap) rather than inside the bar
  bool operator==(const BracketFill&) const = default;
};

// How a resting limit order fills against a bar (see above).
enum class LimitFillRule : std::uint8_t { kThrough, kTouch, kBarBestForTests };

// "through" or "touch"; an error naming the value and the choices otherwise (kBarBestForTests
// has no name a user can give).
[[nodiscard]] core::Result<LimitFillRule> parse_limit_fill_rule(std::string_view text);
[[nodiscard]] std::string_view to_string(LimitFillRule rule) noexcept;

class BarFillModel {
 public:
  // slippage_ticks >= 0 (asserted): adverse ticks on every market and stop-market fill.
  explicit BarFillModel(std::int64_t slippage_ticks = 1, LimitFillRule rule = LimitFillRule::kThrough);

  [[nodiscard]] std::int64_t slippage_ticks() const noexcept { return slippage_ticks_; }
  [[nodiscard]] LimitFillRule limit_rule() const noexcept { return rule_; }

  // Ticks the price must trade beyond a limit for it to fill: 1 for kThrough, 0 for kTouch.
  [[nodiscard]] std::int64_t limit_margin_ticks() const noexcept { return rule_ == LimitFillRule::kThrough ? 1 : 0; }

  // Whether a resting limit order on `side` at `limit` fills during `bar` (at its price).
  [[nodiscard]] bool limit_fills(OrderSide side, core::Ticks limit, const BarPrices& bar) const noexcept {
    const core::Ticks margin(limit_margin_ticks());
    return side == OrderSide::kSell ? bar.high >= limit + margin : bar.low <= limit - margin;
  }

  // Fill price of a market order at a reference price (the next bar's open).
  [[nodiscard]] core::Ticks market_fill(OrderSide side, core::Ticks reference) const noexcept {
    return reference + core::Ticks(slippage_ticks_ * sign(side));
  }

  // Whether and how a working bracket fills during `bar` (see the rules above).
  [[nodiscard]] std::optional<BracketFill> check_bracket(const Bracket& b,
                                                         const BarPrices& bar) const noexcept {
    const OrderSide exit = closing_order(b.side);
    const core::Ticks margin(limit_margin_ticks());
    if (b.side == Side::kLong) {
      if (bar.open <= b.stop) return BracketFill{ExitReason::kStop, market_fill(exit, bar.open), true};
      if (bar.open >= b.target + margin) return BracketFill{ExitReason::kTarget, b.target, true};
      if (bar.low <= b.stop) return BracketFill{ExitReason::kStop, market_fill(exit, b.stop), false};
      if (rule_ == LimitFillRule::kBarBestForTests) [[unlikely]] {
        if (bar.high.count() * 2 > b.target.count() + b.stop.count())
          return BracketFill{ExitReason::kTarget, bar.high, false};
        return std::nullopt;
      }
      if (limit_fills(exit, b.target, bar)) return BracketFill{ExitReason::kTarget, b.target, false};
    } else {
      if (bar.open >= b.stop) return BracketFill{ExitReason::kStop, market_fill(exit, bar.open), true};
      if (bar.open <= b.target - margin) return BracketFill{ExitReason::kTarget, b.target, true};
      if (bar.high >= b.stop) return BracketFill{ExitReason::kStop, market_fill(exit, b.stop), false};
      if (rule_ == LimitFillRule::kBarBestForTests) [[unlikely]] {
        if (bar.low.count() * 2 < b.target.count() + b.stop.count())
          return BracketFill{ExitReason::kTarget, bar.low, false};
        return std::nullopt;
      }
      if (limit_fills(exit, b.target, bar)) return BracketFill{ExitReason::kTarget, b.target, false};
    }
    return std::nullopt;
  }

 private:
  std::int64_t slippage_ticks_;
  LimitFillRule rule_;
};

}  // namespace daytrader::exec
