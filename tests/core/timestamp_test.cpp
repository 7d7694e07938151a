#include "core/timestamp.h"

#include <gtest/gtest.h>

#include <date/date.h>

namespace daytrader::core {
namespace {

TEST(FormatUtc, EqualsDateFormatForEveryKindOfInstant) {
  const std::int64_t rows[] = {
      0, 1, 999'999'999, 1'000'000'000, 1'710'000'000'123'456'789, 1'709'942'400'000'000'000,
      -1, -1'000'000'000, -86'400'000'000'000, -86'400'000'000'001, 951'782'400'000'000'000,  // 2000-02-29
      4'102'444'799'999'999'999,                                                               // 2099-12-31
  };
  for (const auto ns : rows) {
    const auto t = from_unix_ns(ns);
    EXPECT_EQ(format_utc(t), date::format("%FT%TZ", t)) << ns;
  }
}

}  // namespace
}  // namespace daytrader::core
