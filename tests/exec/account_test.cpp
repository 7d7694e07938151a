#include "exec/account.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace daytrader::exec {
namespace {

using core::Cents;
using core::Ticks;

core::Timestamp at(std::int64_t s) {
  return core::from_unix_ns(s * 1'000'000'000);
}

AccountConfig no_costs() {
  AccountConfig c;
  c.commission_per_side_cents = 0;
  return c;
}

TEST(Account, ValuesAFourTickMoveAtFiftyDollars) {
  Account a(no_costs());
  a.open(Side::kLong, Ticks(20000), at(1));
  EXPECT_EQ(a.open_pnl_cents(Ticks(20004)), 5000);
  const ClosedTrade t = a.close(Ticks(20004), at(2), ExitReason::kAction);
  EXPECT_EQ(t.gross_cents, 5000);
  EXPECT_EQ(t.net_cents, 5000);
  EXPECT_EQ(a.balance_cents(), 5'000'000 + 5000);
}

TEST(Account, ComputesGrossAndNetForBothSides) {
  struct Row {
    Side side;
    std::int64_t entry, exit;
    Cents commission_per_side;
    Cents gross, net;
  };
  const std::vector<Row> rows = {
      {Side::kLong, 1000, 1010, 225, 12500, 12050}, {Side::kLong, 1000, 990, 225, -12500, -12950},
      {Side::kShort, 1000, 990, 225, 12500, 12050}, {Side::kShort, 1000, 1010, 225, -12500, -12950},
      {Side::kShort, 1000, 1000, 225, 0, -450},     {Side::kLong, 1000, 1001, 0, 1250, 1250},
  };
  for (const auto& r : rows) {
    AccountConfig c;
    c.commission_per_side_cents = r.commission_per_side;
    Account a(c);
    a.open(r.side, Ticks(r.entry), at(1));
    EXPECT_EQ(a.balance_cents(), c.starting_balance_cents - r.commission_per_side) << "after entry";
    EXPECT_EQ(a.equity_cents(Ticks(r.exit)), c.starting_balance_cents - r.commission_per_side + r.gross);
    const ClosedTrade t = a.close(Ticks(r.exit), at(2), ExitReason::kTarget);
    EXPECT_EQ(t.gross_cents, r.gross) << to_string(r.side) << " " << r.entry << "->" << r.exit;
    EXPECT_EQ(t.commission_cents, 2 * r.commission_per_side);
    EXPECT_EQ(t.net_cents, r.net);
    EXPECT_EQ(t.side, r.side);
    EXPECT_EQ(t.entry_price, Ticks(r.entry));
    EXPECT_EQ(t.exit_price, Ticks(r.exit));
    EXPECT_EQ(t.entry_time, at(1));
    EXPECT_EQ(t.exit_time, at(2));
    EXPECT_EQ(t.reason, ExitReason::kTarget);
    EXPECT_EQ(a.balance_cents(), c.starting_balance_cents + r.net);
    EXPECT_TRUE(a.is_flat());
  }
}

TEST(Account, KeepsBalanceEqualToStartPlusTheSumOfNetTrades) {
  Account a;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 500; ++i) {
    const Side side = rng() % 2 ? Side::kLong : Side::kShort;
    const auto qty = static_cast<core::Contracts>(1 + rng() % 3);
    a.open(side, Ticks(4000 + static_cast<std::int64_t>(rng() % 50)), at(i), qty);
    a.close(Ticks(4000 + static_cast<std::int64_t>(rng() % 50)), at(i + 1), ExitReason::kAction);
  }
  Cents sum = 0;
  for (const auto& t : a.trades()) sum += t.net_cents;
  EXPECT_EQ(a.trades().size(), 500u);
  EXPECT_EQ(a.balance_cents() - a.config().starting_balance_cents, sum);
  EXPECT_EQ(a.realized_cents(), sum);
}

TEST(Account, ScalesByQuantityAndResetsToTheStart) {
  Account a;
  a.open(Side::kShort, Ticks(1000), at(1), 3);
  EXPECT_EQ(a.position().quantity, -3);
  EXPECT_EQ(a.open_pnl_cents(Ticks(996)), 3 * 4 * 1250);
  const auto t = a.close(Ticks(996), at(2), ExitReason::kStop);
  EXPECT_EQ(t.quantity, 3);
  EXPECT_EQ(t.commission_cents, 6 * 225);
  a.reset();
  EXPECT_EQ(a.balance_cents(), 5'000'000);
  EXPECT_TRUE(a.trades().empty());
  EXPECT_TRUE(a.is_flat());
}

}  // namespace
}  // namespace daytrader::exec
