#include "bars/bar_spec.h"

#include <gtest/gtest.h>

namespace daytrader::bars {
namespace {

TEST(BarSpec, ParsesPeriodsVolumesAndTradeCounts) {
  struct Row { const char* text; BarKind kind; std::int64_t size; const char* canonical; };
  const Row rows[] = {
      {"1m", BarKind::kTime, 60, "1m"},     {"30s", BarKind::kTime, 30, "30s"},
      {"90s", BarKind::kTime, 90, "90s"},   {"5m", BarKind::kTime, 300, "5m"},
      {"60m", BarKind::kTime, 3600, "1h"},  {"1h", BarKind::kTime, 3600, "1h"},
      {"v500", BarKind::kVolume, 500, "v500"}, {"t1000", BarKind::kTick, 1000, "t1000"},
  };
  for (const Row& r : rows) {
    auto s = BarSpec::parse(r.text);
    ASSERT_TRUE(s) << r.text << ": " << s.error().message;
    EXPECT_EQ(s->kind, r.kind) << r.text;
    EXPECT_EQ(s->size, r.size) << r.text;
    EXPECT_EQ(s->to_string(), r.canonical) << r.text;
  }
}

TEST(BarSpec, RejectsNonsenseWithTheValueInTheMessage) {
  for (const char* bad : {"", "m", "0m", "-1m", "1x", "v", "v-3", "1.5m", "7m", "25h", "t0", "1mm"}) {
    auto s = BarSpec::parse(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find(std::string("\"") + bad + "\""), std::string::npos) << s.error().message;
  }
}

}  // namespace
}  // namespace daytrader::bars
