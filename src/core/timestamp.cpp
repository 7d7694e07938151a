#include "core/timestamp.h"

#include <date/date.h>
#include <fmt/format.h>

namespace daytrader::core {

// date::format("%FT%TZ", t) gives the same text through an ostream and a locale, about 30 times
// slower; the live engine formats a time for every journal record.
std::string format_utc(Timestamp t) {
  constexpr std::int64_t kDay = 86'400'000'000'000;
  const std::int64_t ns = to_unix_ns(t);
  std::int64_t days = ns / kDay;
  std::int64_t rest = ns % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  const date::year_month_day ymd{date::sys_days(date::days(days))};
  const std::int64_t secs = rest / 1'000'000'000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                     secs / 60 % 60, secs % 60, rest % 1'000'000'000);
}

}  // namespace daytrader::core
