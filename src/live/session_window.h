#pragma once
// Where a live bar stands in the day's trading window, decided from its close time alone (live
// trading cannot look at the bars still to come). For time bars this gives the environment's
// episode plan (env/env_data.h) bar for bar:
//   - a decision bar closes in [window_start, window_end];
//   - entries are allowed at decision bars except the final one;
//   - the final decision is the bar whose close is <= window_end and whose successor's close
//     (close + period) would be past it: the end-of-window flatten.
// One case the environment sees and live cannot: when no trade falls in the window's last
// period, the environment's final decision is an earlier bar; live then flattens when the clock
// reaches window_end (Engine::on_time), one period later.

#include <cstdint>

#include "core/session_calendar.h"
#include "core/timestamp.h"
#include "exec/order_manager.h"

namespace daytrader::live {

struct BarPlace {
  bool is_decision = false;  // closes inside the window: the policy decides and the rules apply
  exec::DecisionPoint point;
  core::Timestamp window_start{};
  core::Timestamp window_end{};
};

class SessionWindow {
 public:
  SessionWindow(const core::SessionCalendar& calendar, core::LocalTimeOfDay start, core::LocalTimeOfDay end,
                core::Nanoseconds bar_period)
      : calendar_(&calendar), start_(start), end_(end), period_(bar_period) {}

  [[nodiscard]] BarPlace place(std::int32_t trade_date, core::Timestamp close_time) const {
    BarPlace p;
    const auto day = date::sys_days(date::days(trade_date));
    p.window_start = calendar_->at(day, start_);
    p.window_end = calendar_->at(day, end_);
    if (close_time < p.window_start || close_time > p.window_end) return p;
    p.is_decision = true;
    p.point.is_final = close_time + period_ > p.window_end;
    p.point.entries_allowed = !p.point.is_final;
    return p;
  }

  // The window of a trade date.
  [[nodiscard]] std::pair<core::Timestamp, core::Timestamp> window(std::int32_t trade_date) const {
    const auto day = date::sys_days(date::days(trade_date));
    return {calendar_->at(day, start_), calendar_->at(day, end_)};
  }

 private:
  const core::SessionCalendar* calendar_;
  core::LocalTimeOfDay start_, end_;
  core::Nanoseconds period_;
};

}  // namespace daytrader::live
