#pragma once
// The CME Globex trading calendar of an equity-index future, resolved with the tz database.
//
// A session (trade date D) runs from 17:00 exchange time on the calendar day before D to 16:00
// on D; Sunday 17:00 opens Monday's session. Regular trading hours (08:30-15:00 CT) are the last
// part of that session. All boundaries are computed in America/Chicago through date/tz, so they
// follow daylight saving time; a UTC offset is never hard-coded.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <date/date.h>

#include "core/timestamp.h"

namespace date { class time_zone; }

namespace daytrader::core {

// Minutes after local midnight, e.g. 8 * 60 + 30 for 08:30.
struct LocalTimeOfDay {
  int minutes = 0;
  int seconds = 0;
  [[nodiscard]] static std::optional<LocalTimeOfDay> parse(const std::string& hh_mm_ss);
  [[nodiscard]] std::chrono::seconds since_midnight() const {
    return std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
  }
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const LocalTimeOfDay&) const = default;
};

struct Session {
  date::sys_days trade_date;  // the CME trade date, as a calendar day (no time zone)
  Timestamp open;             // first instant of the session (UTC)
  Timestamp close;            // first instant after the session (UTC)
  [[nodiscard]] bool contains(Timestamp t) const noexcept { return t >= open && t < close; }
};

// A trade date stored as days since 1970-01-01 (as bars and datasets keep it), as "2024-03-15".
[[nodiscard]] std::string format_trade_date(std::int32_t days_since_epoch);

class SessionCalendar {
 public:
  // Throws DaytraderError when the zone is not in the tz database.
  explicit SessionCalendar(const std::string& time_zone = "America/Chicago",
                           LocalTimeOfDay open = {17 * 60, 0}, LocalTimeOfDay close = {16 * 60, 0});

  // The CME Globex calendar of ES (17:00-16:00 Central).
  [[nodiscard]] static const SessionCalendar& cme_globex();

  // The trade date an instant belongs to (Saturday and Sunday before 17:00 map to Monday).
  [[nodiscard]] date::sys_days trade_date(Timestamp t) const;
  [[nodiscard]] Session session(date::sys_days trade_date) const;
  // The session containing t, or the next one when t falls in a halt or weekend.
  [[nodiscard]] Session session_at_or_after(Timestamp t) const;
  [[nodiscard]] static bool is_weekday(date::sys_days d);

  // Exchange-local wall time <-> UTC.
  [[nodiscard]] date::local_time<Nanoseconds> to_local(Timestamp t) const;
  [[nodiscard]] Timestamp to_utc(date::local_days day, std::chrono::seconds since_midnight) const;
  [[nodiscard]] Timestamp to_utc(date::local_time<Nanoseconds> local) const;
  // An instant at a given local wall time on a trade date (e.g. 08:30 on D).
  [[nodiscard]] Timestamp at(date::sys_days trade_date, LocalTimeOfDay tod) const;

  // "2024-03-15 08:30:00" in exchange time.
  [[nodiscard]] std::string format_local(Timestamp t) const;

  [[nodiscard]] const date::time_zone* zone() const noexcept { return zone_; }
  [[nodiscard]] LocalTimeOfDay open_time() const noexcept { return open_; }
  [[nodiscard]] LocalTimeOfDay close_time() const noexcept { return close_; }

 private:
  const date::time_zone* zone_;
  LocalTimeOfDay open_;
  LocalTimeOfDay close_;
};

}  // namespace daytrader::core
