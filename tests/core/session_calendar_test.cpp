#include "core/session_calendar.h"
#include "core/result.h"

#include <gtest/gtest.h>

#include <date/date.h>

namespace daytrader::core {
namespace {

using namespace date::literals;
using namespace std::chrono_literals;

Timestamp utc(date::sys_days d, std::chrono::seconds tod) { return Timestamp(d) + tod; }

TEST(SessionCalendar, SessionOpensAt17CentralInUtcOnBothSidesOfDst) {
  const auto& cal = SessionCalendar::cme_globex();
  struct Row {
    date::sys_days trade_date;
    Timestamp open_utc;
    Timestamp close_utc;
  };
  const Row rows[] = {
      // Winter (CST = UTC-6): Sunday 17:00 CT = 23:00 UTC, Monday 16:00 CT = 22:00 UTC.
      {date::sys_days(2024_y / 3 / 4), utc(date::sys_days(2024_y / 3 / 3), 23h), utc(date::sys_days(2024_y / 3 / 4), 22h)},
      // Week of the switch (DST began Sunday 2024-03-10 02:00): summer offsets UTC-5.
      {date::sys_days(2024_y / 3 / 11), utc(date::sys_days(2024_y / 3 / 10), 22h), utc(date::sys_days(2024_y / 3 / 11), 21h)},
      // Friday before the switch still winter.
      {date::sys_days(2024_y / 3 / 8), utc(date::sys_days(2024_y / 3 / 7), 23h), utc(date::sys_days(2024_y / 3 / 8), 22h)},
      // Autumn: DST ended Sunday 2024-11-03.
      {date::sys_days(2024_y / 11 / 1), utc(date::sys_days(2024_y / 10 / 31), 22h), utc(date::sys_days(2024_y / 11 / 1), 21h)},
      {date::sys_days(2024_y / 11 / 4), utc(date::sys_days(2024_y / 11 / 3), 23h), utc(date::sys_days(2024_y / 11 / 4), 22h)},
  };
  for (const Row& r : rows) {
    const Session s = cal.session(r.trade_date);
    EXPECT_EQ(s.open, r.open_utc) << date::format("%F", r.trade_date);
    EXPECT_EQ(s.close, r.close_utc) << date::format("%F", r.trade_date);
  }
}

TEST(SessionCalendar, AssignsTradeDatesLikeCmeGlobex) {
  const auto& cal = SessionCalendar::cme_globex();
  struct Row {
    Timestamp t;
    date::sys_days expected;
  };
  const Row rows[] = {
      {utc(date::sys_days(2024_y / 3 / 3), 23h + 1min), date::sys_days(2024_y / 3 / 4)},   // Sun evening -> Mon
      {utc(date::sys_days(2024_y / 3 / 4), 15h), date::sys_days(2024_y / 3 / 4)},          // Mon 09:00 CT
      {utc(date::sys_days(2024_y / 3 / 4), 23h), date::sys_days(2024_y / 3 / 5)},          // Mon 17:00 CT -> Tue
      {utc(date::sys_days(2024_y / 3 / 4), 22h + 59min), date::sys_days(2024_y / 3 / 4)},  // Mon 16:59 CT (halt)
      {utc(date::sys_days(2024_y / 3 / 9), 12h), date::sys_days(2024_y / 3 / 11)},         // Saturday -> Monday
      {utc(date::sys_days(2024_y / 3 / 10), 22h), date::sys_days(2024_y / 3 / 11)},        // Sun 17:00 CDT -> Mon
      {utc(date::sys_days(2024_y / 3 / 10), 21h + 59min), date::sys_days(2024_y / 3 / 11)},  // Sun 16:59 CDT: weekend
  };
  for (const Row& r : rows)
    EXPECT_EQ(cal.trade_date(r.t), r.expected) << format_utc(r.t);
}

TEST(SessionCalendar, SessionContainsItsInstantsAndNotTheHalt) {
  const auto& cal = SessionCalendar::cme_globex();
  const Session s = cal.session(date::sys_days(2024_y / 7 / 16));
  EXPECT_TRUE(s.contains(s.open));
  EXPECT_TRUE(s.contains(s.close - 1ns));
  EXPECT_FALSE(s.contains(s.close));
  EXPECT_EQ(s.close - s.open, 23h);
  EXPECT_EQ(cal.format_local(s.open), "2024-07-15 17:00:00");
  EXPECT_EQ(cal.format_local(s.close), "2024-07-16 16:00:00");
}

TEST(SessionCalendar, LocalTimeOnATradeDate) {
  const auto& cal = SessionCalendar::cme_globex();
  const auto d = date::sys_days(2024_y / 1 / 10);
  EXPECT_EQ(cal.at(d, {8 * 60 + 30, 0}), utc(d, 14h + 30min));  // 08:30 CST
  EXPECT_EQ(cal.at(d, {17 * 60, 0}), utc(d - date::days(1), 23h));  // 17:00 is the evening before
  const auto summer = date::sys_days(2024_y / 6 / 10);
  EXPECT_EQ(cal.at(summer, {8 * 60 + 30, 0}), utc(summer, 13h + 30min));
}

TEST(SessionCalendar, NextSessionAfterAHaltOrWeekend) {
  const auto& cal = SessionCalendar::cme_globex();
  // Friday 16:30 CT is after Friday's close: the next session is Monday's.
  const auto friday = date::sys_days(2024_y / 3 / 8);
  const Session s = cal.session_at_or_after(utc(friday, 22h + 30min));
  EXPECT_EQ(s.trade_date, date::sys_days(2024_y / 3 / 11));
}

TEST(SessionCalendar, RejectsUnknownZone) {
  EXPECT_THROW(SessionCalendar("Mars/Olympus_Mons"), DaytraderError);
}

TEST(LocalTimeOfDay, ParsesAndRejects) {
  ASSERT_TRUE(LocalTimeOfDay::parse("08:30"));
  EXPECT_EQ(LocalTimeOfDay::parse("08:30")->minutes, 510);
  EXPECT_EQ(LocalTimeOfDay::parse("14:31:15")->seconds, 15);
  EXPECT_EQ(LocalTimeOfDay::parse("14:30:00")->to_string(), "14:30:00");
  for (const char* bad : {"", "8:30", "25:00", "12:60", "12-30", "12:30:7", "aa:bb", "24:01"})
    EXPECT_FALSE(LocalTimeOfDay::parse(bad)) << bad;
}

}  // namespace
}  // namespace daytrader::core
