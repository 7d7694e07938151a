#include "gen/generator_config.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/instrument.h"
#include "core/session_calendar.h"
#include "gen/activity_profile.h"

namespace daytrader::gen {

namespace {

struct Check {
  std::string error;

  void range(const char* field, double value, double lo, double hi) {
    if (!error.empty()) return;
    if (!std::isfinite(value) || value < lo || value > hi)
      error = fmt::format("generator config: {} is {}, expected a value in [{}, {}]", field, value, lo, hi);
  }
  void positive(const char* field, double value, double hi = 1e12) {
    if (!error.empty()) return;
    if (!std::isfinite(value) || value <= 0 || value > hi)
      error = fmt::format("generator config: {} is {}, expected a value in (0, {}]", field, value, hi);
  }
};

}  // namespace

core::Status validate(const GeneratorConfig& c) {
  Check k;
  k.range("sessions", c.sessions, 1, 100'000);
  if (k.error.empty() && !core::SessionCalendar::is_weekday(c.first_trade_date))
    k.error = fmt::format("generator config: first_trade_date is {}, expected a Monday to Friday",
                          date::format("%F (%A)", c.first_trade_date));
  // Timestamps are int64 nanoseconds since 1970 (they end in April 2262): keep the whole range,
  // five sessions a calendar week plus holidays, between 1970 and 2200.
  if (k.error.empty()) {
    constexpr date::sys_days kFirst = date::sys_days(date::year{1970} / 1 / 5);
    constexpr date::sys_days kLast = date::sys_days(date::year{2200} / 12 / 31);
    const auto weeks = date::days(7 * (static_cast<std::int64_t>(c.sessions) / 5 + 2));
    if (c.first_trade_date < kFirst || c.first_trade_date > kLast || c.first_trade_date + weeks > kLast)
      k.error = fmt::format("generator config: first_trade_date is {} with {} sessions, expected trade dates "
                            "between {} and {}", date::format("%F", c.first_trade_date), c.sessions,
                            date::format("%F", kFirst), date::format("%F", kLast));
  }
  k.positive("start_price", c.start_price, 1e6);
  if (k.error.empty()) {
    core::Ticks t;
    if (!core::Instrument::es().try_to_ticks(c.start_price, t))
      k.error = fmt::format("generator config: start_price is {}, expected a multiple of 0.25", c.start_price);
  }
  k.positive("orders_per_session", c.orders_per_session, 1e8);

  k.range("globex_open_activity", c.globex_open_activity, 0, 1e6);
  k.positive("globex_open_decay_minutes", c.globex_open_decay_minutes);
  k.range("overnight_activity", c.overnight_activity, 0, 1e6);
  k.range("europe_activity", c.europe_activity, 0, 1e6);
  k.range("premarket_activity", c.premarket_activity, 0, 1e6);
  k.range("econ_release_spike", c.econ_release_spike, 0, 1e6);
  k.positive("econ_release_decay_minutes", c.econ_release_decay_minutes);
  k.range("rth_midday_activity", c.rth_midday_activity, 0, 1e6);
  k.range("rth_open_spike", c.rth_open_spike, 0, 1e6);
  k.positive("rth_open_decay_minutes", c.rth_open_decay_minutes);
  k.range("rth_close_spike", c.rth_close_spike, 0, 1e6);
  k.positive("rth_close_rise_minutes", c.rth_close_rise_minutes);
  k.range("post_close_activity", c.post_close_activity, 0, 1e6);
  k.range("activity_sd", c.activity_sd, 0, 3);
  k.positive("activity_half_life_minutes", c.activity_half_life_minutes);
  k.range("day_activity_sd", c.day_activity_sd, 0, 3);

  k.range("single_lot_probability", c.single_lot_probability, 0, 1);
  k.range("size_pareto_alpha", c.size_pareto_alpha, 0.5, 20);
  k.range("max_order_size", c.max_order_size, 1, 1'000'000);

  k.range("resting_order_mean_size", c.resting_order_mean_size, 1, 1e6);
  k.range("large_resting_probability", c.large_resting_probability, 0, 1);
  k.range("large_resting_min_size", c.large_resting_min_size, 1, 1e6);
  k.range("large_resting_alpha", c.large_resting_alpha, 0.5, 20);
  k.positive("book_depth_rth", c.book_depth_rth, 1e9);
  k.positive("book_depth_overnight", c.book_depth_overnight, 1e9);
  k.range("max_sweep_levels", c.max_sweep_levels, 1, 1000);

  k.range("wide_spread_fraction", c.wide_spread_fraction, 0, 0.9);
  k.range("wide_spread_mean_seconds", c.wide_spread_mean_seconds, 1, 1e6);
  k.range("quote_hysteresis_ticks", c.quote_hysteresis_ticks, 0, 10);

  k.range("daily_noise_points", c.daily_noise_points, 0, 1e4);
  k.range("volatility_activity_exponent", c.volatility_activity_exponent, 0, 4);
  k.range("day_volatility_sd", c.day_volatility_sd, 0, 3);
  k.range("informed_tilt_sd", c.informed_tilt_sd, 0, 1);
  k.positive("informed_half_life_minutes", c.informed_half_life_minutes);
  k.range("day_flow_bias_sd", c.day_flow_bias_sd, 0, 1);
  k.range("impact_ticks_per_percent", c.impact_ticks_per_percent, 0, 1e6);
  k.range("immediate_impact_fraction", c.immediate_impact_fraction, 0, 1);
  k.positive("impact_lag_minutes", c.impact_lag_minutes);
  k.range("impact_depth_exponent", c.impact_depth_exponent, 0, 4);
  k.range("signal_strength", c.signal_strength, 0, kMaxSignalStrength);
  k.range("session_gap_points", c.session_gap_points, 0, 1e4);
  k.range("weekend_gap_points", c.weekend_gap_points, 0, 1e4);

  if (k.error.empty()) {
    // The profile must give the session some weight (activity_profile.h is defined over it).
    double total = 0.0;
    for (int m = 0; m < 24 * 60; ++m)
      if (m < 16 * 60 || m >= 17 * 60) total += activity_at(c, m + 0.5);
    if (!(total > 0.0)) k.error = "generator config: every *_activity and *_spike is 0, expected some positive activity";
  }
  if (!k.error.empty()) return core::Error{k.error};
  return {};
}

}  // namespace daytrader::gen
