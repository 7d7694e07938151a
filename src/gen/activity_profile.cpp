#include "gen/activity_profile.h"

#include "core/assert.h"
#include "gen/random.h"

namespace daytrader::gen {

namespace {
constexpr double kEuropeOpen = 2 * 60;         // 02:00 CT
constexpr double kEuropeRampMinutes = 30;
constexpr double kPremarketStart = 7 * 60;     // 07:00 CT
constexpr double kEconRelease = 7 * 60 + 30;   // 07:30 CT
constexpr double kGlobexClose = 16 * 60;       // 16:00 CT
constexpr double kGlobexOpen = 17 * 60;        // 17:00 CT
constexpr double kMinutesPerDay = 24 * 60;

double decay(double minutes_since, double e_folding) noexcept {
  return minutes_since < 0 ? 0.0 : det_exp(-minutes_since / e_folding);
}
}  // namespace

double activity_at(const GeneratorConfig& c, double m) noexcept {
  if (m >= kGlobexOpen) {
    // Evening reopen: a burst that fades into the Asian session by about 18:00.
    return c.overnight_activity +
           (c.globex_open_activity - c.overnight_activity) * decay(m - kGlobexOpen, c.globex_open_decay_minutes);
  }
  if (m < kEuropeOpen) {
    const double since_open = m + kMinutesPerDay - kGlobexOpen;
    return c.overnight_activity + (c.globex_open_activity - c.overnight_activity) *
                                      decay(since_open, c.globex_open_decay_minutes);
  }
  if (m < kPremarketStart) {
    const double ramp = (m - kEuropeOpen) / kEuropeRampMinutes;
    const double w = ramp < 1.0 ? ramp : 1.0;
    return c.overnight_activity + (c.europe_activity - c.overnight_activity) * w;
  }
  if (m < kRthOpenMinute) {
    return c.premarket_activity + c.econ_release_spike * decay(m - kEconRelease, c.econ_release_decay_minutes);
  }
  if (m < kRthCloseMinute) {
    return c.rth_midday_activity + c.rth_open_spike * decay(m - kRthOpenMinute, c.rth_open_decay_minutes) +
           c.rth_close_spike * decay(kRthCloseMinute - m, c.rth_close_rise_minutes);
  }
  if (m < kGlobexClose) return c.post_close_activity;
  // 16:00-17:00 is the daily halt; a session never asks for it.
  return 0.0;
}

std::vector<double> session_profile(const GeneratorConfig& config, int open_minute_of_day, int minutes) {
  DT_ASSERT(minutes > 0, "a session has at least one minute");
  std::vector<double> w(static_cast<std::size_t>(minutes));
  double sum = 0.0;
  for (int i = 0; i < minutes; ++i) {
    double m = open_minute_of_day + i + 0.5;
    if (m >= kMinutesPerDay) m -= kMinutesPerDay;
    const double a = activity_at(config, m);
    w[static_cast<std::size_t>(i)] = a;
    sum += a;
  }
  DT_ASSERT(sum > 0.0, "the activity profile has positive weight");
  for (double& x : w) x /= sum;
  return w;
}

}  // namespace daytrader::gen
