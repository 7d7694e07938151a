#include "core/session_calendar.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <charconv>

#include "core/result.h"

namespace daytrader::core {

using namespace std::chrono_literals;

std::optional<LocalTimeOfDay> LocalTimeOfDay::parse(const std::string& s) {
  int h = 0, m = 0, sec = 0;
  if (s.size() != 5 && s.size() != 8) return std::nullopt;
  auto num = [&](std::size_t pos, int& out) {
    if (!std::isdigit(static_cast<unsigned char>(s[pos])) ||
        !std::isdigit(static_cast<unsigned char>(s[pos + 1])))
      return false;
    out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
    return true;
  };
  if (!num(0, h) || s[2] != ':' || !num(3, m)) return std::nullopt;
  if (s.size() == 8 && (s[5] != ':' || !num(6, sec))) return std::nullopt;
  if (h > 24 || m > 59 || sec > 59 || (h == 24 && (m != 0 || sec != 0))) return std::nullopt;
  return LocalTimeOfDay{h * 60 + m, sec};
}

std::string LocalTimeOfDay::to_string() const {
  return fmt::format("{:02}:{:02}:{:02}", minutes / 60, minutes % 60, seconds);
}

std::string format_trade_date(std::int32_t days_since_epoch) {
  return date::format("%F", date::sys_days(date::days(days_since_epoch)));
}

SessionCalendar::SessionCalendar(const std::string& time_zone, LocalTimeOfDay open,
                                 LocalTimeOfDay close)
    : open_(open), close_(close) {
  try {
    zone_ = date::locate_zone(time_zone);
  } catch (const std::exception& e) {
    throw DaytraderError(fmt::format("time zone \"{}\" is not in the tz database: {}", time_zone,
                                     e.what()));
  }
}

const SessionCalendar& SessionCalendar::cme_globex() {
  static const SessionCalendar calendar;
  return calendar;
}

bool SessionCalendar::is_weekday(date::sys_days d) {
  const date::weekday wd{d};
  return wd != date::Saturday && wd != date::Sunday;
}

date::local_time<Nanoseconds> SessionCalendar::to_local(Timestamp t) const {
  return zone_->to_local(t);
}

Timestamp SessionCalendar::to_utc(date::local_time<Nanoseconds> local) const {
  // Sessions never start or end inside the DST switch hour (Sunday 02:00, market closed);
  // `earliest` makes any other ambiguous or skipped wall time deterministic.
  return zone_->to_sys(local, date::choose::earliest);
}

Timestamp SessionCalendar::to_utc(date::local_days day, std::chrono::seconds since_midnight) const {
  return to_utc(date::local_time<Nanoseconds>(day) + since_midnight);
}

Timestamp SessionCalendar::at(date::sys_days trade_date, LocalTimeOfDay tod) const {
  // Times at or after the session open belong to the evening before the trade date.
  auto day = date::local_days(trade_date.time_since_epoch());
  if (open_ > close_ && tod >= open_) day -= date::days(1);
  return to_utc(day, tod.since_midnight());
}

date::sys_days SessionCalendar::trade_date(Timestamp t) const {
  const auto local = to_local(t);
  const auto day = date::floor<date::days>(local);
  auto d = date::sys_days(day.time_since_epoch());
  if (open_ > close_ && local - day >= open_.since_midnight()) d += date::days(1);
  // Weekend instants belong to the next Monday's trade date.
  const date::weekday wd{d};
  if (wd == date::Saturday) d += date::days(2);
  else if (wd == date::Sunday) d += date::days(1);
  return d;
}

Session SessionCalendar::session(date::sys_days trade_date) const {
  Session s;
  s.trade_date = trade_date;
  s.open = at(trade_date, open_);
  s.close = at(trade_date, close_);
  return s;
}

Session SessionCalendar::session_at_or_after(Timestamp t) const {
  Session s = session(trade_date(t));
  if (t >= s.close) {
    auto d = s.trade_date + date::days(1);
    while (!is_weekday(d)) d += date::days(1);
    s = session(d);
  }
  return s;
}

std::string SessionCalendar::format_local(Timestamp t) const {
  return date::format("%F %T", date::floor<std::chrono::seconds>(to_local(t)));
}

}  // namespace daytrader::core
