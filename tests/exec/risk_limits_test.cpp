#include "exec/risk_limits.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace daytrader::exec {
namespace {

TEST(DailyRisk, LocksOutByTheDocumentedRules) {
  struct Row {
    std::string name;
    RiskLimits limits;
    std::vector<core::Cents> equity;  // sampled after a start of 5,000,000
    Lockout expected;
    core::Cents expected_hwm;
  };
  const core::Cents s = 5'000'000;
  const std::vector<Row> rows = {
      {"no move", {}, {s, s}, Lockout::kNone, s},
      {"999.99 below the start", {}, {s - 99'999}, Lockout::kNone, s},
      {"exactly 1,000 below the start", {}, {s - 100'000}, Lockout::kDrawdown, s},
      {"the high-water mark moves up", {}, {s + 50'000, s - 49'999}, Lockout::kNone, s + 50'000},
      {"1,000 below a raised high-water mark", {}, {s + 50'000, s - 50'000}, Lockout::kDrawdown, s + 50'000},
      {"day profit 999.99", {}, {s + 99'999}, Lockout::kNone, s + 99'999},
      {"day profit reaches 1,000", {}, {s + 100'000}, Lockout::kProfitTarget, s + 100'000},
      {"lockout is sticky", {}, {s - 100'000, s}, Lockout::kDrawdown, s},
      {"drawdown limit off", {0, 100'000}, {s - 900'000}, Lockout::kNone, s},
      {"profit target off", {100'000, 0}, {s + 900'000}, Lockout::kNone, s + 900'000},
      {"custom limits", {20'000, 30'000}, {s + 10'000, s - 10'000}, Lockout::kDrawdown, s + 10'000},
  };
  for (const auto& r : rows) {
    DailyRisk risk(r.limits);
    risk.reset(s);
    for (const auto e : r.equity) risk.on_equity(e);
    EXPECT_EQ(risk.lockout(), r.expected) << r.name << ": got " << to_string(risk.lockout());
    EXPECT_EQ(risk.high_water_mark_cents(), r.expected_hwm) << r.name;
  }
}

TEST(DailyRisk, ResetStartsANewDay) {
  DailyRisk risk;
  risk.reset(100);
  risk.on_equity(-200'000);
  ASSERT_TRUE(risk.is_locked_out());
  risk.reset(5'000'000);
  EXPECT_FALSE(risk.is_locked_out());
  EXPECT_EQ(risk.high_water_mark_cents(), 5'000'000);
  EXPECT_EQ(risk.drawdown_cents(4'990'000), 10'000);
}

}  // namespace
}  // namespace daytrader::exec
