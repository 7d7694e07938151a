#pragma once
// Daily risk limits, as the live system enforces them: trading stops for the day when equity
// falls `max_drawdown_cents` below its high-water mark, or once the day's P&L reaches
// `daily_profit_target_cents`. A limit of 0 is disabled. A lockout lasts until reset().
//
// Equity is sampled by the caller (the environment and the backtest sample it at every bar
// close, after that bar's fills); the high-water mark is the highest equity sampled since reset,
// starting with the day's starting equity. The check is `equity <= hwm - max_drawdown` (the
// original's `<=`) and `equity - start >= target`.

#include <cstdint>
#include <string_view>

#include "core/ticks.h"

namespace daytrader::exec {

struct RiskLimits {
  core::Cents max_drawdown_cents = 100'000;         // $1,000 below the high-water mark; 0 = off
  core::Cents daily_profit_target_cents = 100'000;  // $1,000 day P&L; 0 = off
  bool operator==(const RiskLimits&) const = default;
};

enum class Lockout : std::uint8_t { kNone = 0, kDrawdown = 1, kProfitTarget = 2 };

[[nodiscard]] constexpr std::string_view to_string(Lockout l) noexcept {
  switch (l) {
    case Lockout::kNone:
      return "none";
    case Lockout::kDrawdown:
      return "drawdown";
    case Lockout::kProfitTarget:
      return "profit_target";
  }
  return "unknown";
}

class DailyRisk {
 public:
  explicit DailyRisk(const RiskLimits& limits = {}) noexcept : limits_(limits) {}

  // A new day starting with `start_equity_cents`.
  void reset(core::Cents start_equity_cents) noexcept {
    start_cents_ = start_equity_cents;
    high_water_mark_cents_ = start_equity_cents;
    lockout_ = Lockout::kNone;
  }

  // Back to a state saved earlier in the day (a restart of the live engine): the high-water mark
  // and a lockout, which stays sticky.
  void restore(core::Cents high_water_mark_cents, Lockout lockout) noexcept {
    if (high_water_mark_cents > high_water_mark_cents_) high_water_mark_cents_ = high_water_mark_cents;
    if (lockout != Lockout::kNone) lockout_ = lockout;
  }

  // Samples equity: moves the high-water mark, then checks the limits. Returns the lockout,
  // which is sticky: once set it stays until reset() (the drawdown check comes first).
  Lockout on_equity(core::Cents equity_cents) noexcept {
    if (equity_cents > high_water_mark_cents_) high_water_mark_cents_ = equity_cents;
    if (lockout_ == Lockout::kNone) {
      if (limits_.max_drawdown_cents > 0 &&
          equity_cents <= high_water_mark_cents_ - limits_.max_drawdown_cents)
        lockout_ = Lockout::kDrawdown;
      else if (limits_.daily_profit_target_cents > 0 &&
               equity_cents - start_cents_ >= limits_.daily_profit_target_cents)
        lockout_ = Lockout::kProfitTarget;
    }
    return lockout_;
  }

  [[nodiscard]] const RiskLimits& limits() const noexcept { return limits_; }
  [[nodiscard]] Lockout lockout() const noexcept { return lockout_; }
  [[nodiscard]] bool is_locked_out() const noexcept { return lockout_ != Lockout::kNone; }
  [[nodiscard]] core::Cents high_water_mark_cents() const noexcept { return high_water_mark_cents_; }
  [[nodiscard]] core::Cents start_cents() const noexcept { return start_cents_; }
  // How far `equity_cents` is below the high-water mark (>= 0 after on_equity(equity_cents)).
  [[nodiscard]] core::Cents drawdown_cents(core::Cents equity_cents) const noexcept {
    return high_water_mark_cents_ - equity_cents;
  }

 private:
  RiskLimits limits_;
  core::Cents start_cents_ = 0;
  core::Cents high_water_mark_cents_ = 0;
  Lockout lockout_ = Lockout::kNone;
};

}  // namespace daytrader::exec
