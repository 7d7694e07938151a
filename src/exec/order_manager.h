#pragma once
// exec::OrderManager: the trading rules that training, backtests and live trading share. In go
// the agent's action at a bar's close and where that bar stands in the day's window; out comes
// at most one intent (enter long or short with the bracket, exit, or nothing). Fills come back
// in (entry, exit, a bracket leg) and move the ledger; the bar's close marks the account to
// market and drives the daily risk lockouts.
//
//   decide(action, point)      -> Decision {intent, exit reason}
//   on_entry_fill(side, price) -> the bracket to work (target/stop prices from the fill)
//   on_exit_fill(price, why)   -> the closed trade
//   mark(close)                -> equity, high-water mark, lockout
//
// The rules (the original's live rules, with its defects fixed; docs/environment.md):
//   - one position at a time, one contract; an entry only when flat and entries are allowed
//     (the bar closed inside the window, before its final decision);
//   - an exit action applies only to the side held (buy exit when long, short exit when short);
//   - the window's final decision, and any decision once a lockout is set, flatten whatever the
//     action (reason end_of_day or risk) and otherwise do nothing;
//   - a lockout (loss from the high-water mark, daily profit target; exec::DailyRisk) is sticky
//     until begin_day().
// The environment feeds it simulated fills (exec::BarFillModel); the live engine the server's.
// Pure: no clock, no I/O, no allocation after the first trades.

#include <cstdint>
#include <cstddef>
#include <span>
#include <string_view>

#include "core/ticks.h"
#include "core/timestamp.h"
#include "exec/account.h"
#include "exec/bracket.h"
#include "exec/closed_trade.h"
#include "exec/risk_limits.h"

namespace daytrader::exec {

// The original's five actions. One that does not apply in the current state does nothing.
enum class Action : std::int32_t {
  kBuyEntry = 0,    // flat -> long 1 (market, with bracket)
  kBuyExit = 1,     // long -> flat (market, cancels the bracket)
  kShortEntry = 2,  // flat -> short 1
  kShortExit = 3,   // short -> flat
  kNothing = 4,
};
inline constexpr std::size_t kNumActions = 5;

[[nodiscard]] constexpr std::string_view to_string(Action a) noexcept {
  switch (a) {
    case Action::kBuyEntry:
      return "buy_entry";
    case Action::kBuyExit:
      return "buy_exit";
    case Action::kShortEntry:
      return "short_entry";
    case Action::kShortExit:
      return "short_exit";
    case Action::kNothing:
      return "nothing";
  }
  return "unknown";
}

// Where a decision bar stands in the day's trading window.
struct DecisionPoint {
  bool entries_allowed = false;  // closed at or after the window's start, before its final decision
  bool is_final = false;         // the window's last decision: flatten, whatever the action
};

enum class Intent : std::uint8_t { kNone = 0, kEnterLong = 1, kEnterShort = 2, kExit = 3 };

[[nodiscard]] constexpr std::string_view to_string(Intent i) noexcept {
  switch (i) {
    case Intent::kNone:
      return "none";
    case Intent::kEnterLong:
      return "enter_long";
    case Intent::kEnterShort:
      return "enter_short";
    case Intent::kExit:
      return "exit";
  }
  return "unknown";
}

struct Decision {
  Intent intent = Intent::kNone;
  ExitReason exit_reason = ExitReason::kAction;  // meaningful for kExit
  bool operator==(const Decision&) const = default;
};

struct RulesConfig {
  AccountConfig account;  // starting balance, commission, tick value
  RiskLimits risk;        // drawdown from the high-water mark, daily profit target
  BracketSpec bracket;    // target and stop distances from the entry fill
};

class OrderManager {
 public:
  explicit OrderManager(const RulesConfig& config = {});

  // A new trading day: flat, starting balance, no lockout.
  void begin_day() noexcept {
    account_.reset();
    risk_.reset(account_.balance_cents());
    equity_cents_ = account_.balance_cents();
  }

  // The order sent at a decision bar's close (see the rules above).
  [[nodiscard]] Decision decide(std::int32_t action, DecisionPoint point) const noexcept {
    const Position& pos = account_.position();
    if (point.is_final || risk_.is_locked_out()) {
      if (pos.is_flat()) return {};
      return {Intent::kExit, risk_.is_locked_out() ? ExitReason::kRisk : ExitReason::kEndOfDay};
    }
    switch (static_cast<Action>(action)) {
      case Action::kBuyEntry:
        if (pos.is_flat() && point.entries_allowed) return {Intent::kEnterLong, ExitReason::kAction};
        break;
      case Action::kShortEntry:
        if (pos.is_flat() && point.entries_allowed) return {Intent::kEnterShort, ExitReason::kAction};
        break;
      case Action::kBuyExit:
        if (pos.is_long()) return {Intent::kExit, ExitReason::kAction};
        break;
      case Action::kShortExit:
        if (pos.is_short()) return {Intent::kExit, ExitReason::kAction};
        break;
      case Action::kNothing:
        break;
    }
    return {};
  }

  // The entry filled: opens the position and returns the bracket that now protects it.
  const Bracket& on_entry_fill(Side side, core::Ticks price, core::Timestamp time) noexcept {
    account_.open(side, price, time);
    bracket_ = Bracket::around(side, price, config_.bracket);
    return bracket_;
  }

  // The position was closed (an exit order, or a bracket leg) at `price`.
  const ClosedTrade& on_exit_fill(core::Ticks price, core::Timestamp time, ExitReason reason) {
    return account_.close(price, time, reason);
  }

  // Marks the account at a bar's close: equity, high-water mark, risk limits. Returns the lockout.
  Lockout mark(core::Ticks close) noexcept {
    equity_cents_ = account_.equity_cents(close);
    return risk_.on_equity(equity_cents_);
  }

  // A restart within the day: the high-water mark and lockout saved before (fills are replayed
  // through on_entry_fill / on_exit_fill first).
  void restore_risk(core::Cents high_water_mark_cents, Lockout lockout) noexcept {
    risk_.restore(high_water_mark_cents, lockout);
  }

  [[nodiscard]] const RulesConfig& config() const noexcept { return config_; }
  [[nodiscard]] const Account& account() const noexcept { return account_; }
  [[nodiscard]] const Position& position() const noexcept { return account_.position(); }
  [[nodiscard]] const DailyRisk& risk() const noexcept { return risk_; }
  [[nodiscard]] bool is_locked_out() const noexcept { return risk_.is_locked_out(); }
  // The bracket protecting the open position (valid when not flat).
  [[nodiscard]] const Bracket& bracket() const noexcept { return bracket_; }
  // Equity at the last mark (starting balance before the first).
  [[nodiscard]] core::Cents equity_cents() const noexcept { return equity_cents_; }
  // Open P&L at the last mark.
  [[nodiscard]] core::Cents open_pnl_cents() const noexcept { return equity_cents_ - account_.balance_cents(); }
  [[nodiscard]] core::Cents drawdown_cents() const noexcept { return risk_.drawdown_cents(equity_cents_); }
  [[nodiscard]] std::span<const ClosedTrade> trades() const noexcept { return account_.trades(); }

 private:
  RulesConfig config_;
  Account account_;
  DailyRisk risk_;
  Bracket bracket_;
  core::Cents equity_cents_ = 0;
};

}  // namespace daytrader::exec
