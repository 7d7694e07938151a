#include "journal/session_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace daytrader::journal {
namespace {

namespace fs = std::filesystem;
using core::Ticks;
using exec::OrderSide;
using exec::Side;

constexpr std::int32_t kDay = 19787;                     // 2024-03-05
constexpr std::int64_t kT0 = 1'709'649'000'000'000'000;  // 2024-03-05 14:30:00 UTC
constexpr std::int64_t kMinute = 60'000'000'000;
constexpr core::Cents kEsTickValue = 1250;

FillRow fill(std::string exec_id, OrderSide side, std::int32_t qty, std::int64_t price, std::int64_t ns,
             std::string order = "") {
  FillRow f;
  f.exec_id = std::move(exec_id);
  if (!order.empty()) f.client_order_id = std::move(order);
  f.trade_date = kDay;
  f.side = side;
  f.quantity = qty;
  f.price = Ticks(price);
  f.exchange_ns = ns;
  f.received_wall_ns = ns + 1'000'000;
  return f;
}

TEST(RoundTrips, AreRebuiltFirstInFirstOut) {
  struct Row {
    std::string name;
    std::vector<FillRow> fills;
    std::vector<RoundTrip> expected;
    std::vector<OpenLot> open;
  };
  const auto B = OrderSide::kBuy;
  const auto S = OrderSide::kSell;
  // ES: 1250 cents a tick, 225 cents a side.
  const std::vector<Row> rows = {
      {"long +8 ticks",
       {fill("a", B, 1, 18000, 1), fill("b", S, 1, 18008, 2)},
       {{Side::kLong, 1, 1, 2, Ticks(18000), Ticks(18008), "a", "b", 10'000, 450, 9'550}},
       {}},
      {"short -4 ticks",
       {fill("a", S, 1, 18020, 1), fill("b", B, 1, 18024, 2)},
       {{Side::kShort, 1, 1, 2, Ticks(18020), Ticks(18024), "a", "b", -5'000, 450, -5'450}},
       {}},
      {"two lots closed by one fill, oldest first",
       {fill("a", B, 1, 100, 1), fill("b", B, 2, 104, 2), fill("c", S, 3, 110, 3)},
       {{Side::kLong, 1, 1, 3, Ticks(100), Ticks(110), "a", "c", 12'500, 450, 12'050},
        {Side::kLong, 2, 2, 3, Ticks(104), Ticks(110), "b", "c", 15'000, 900, 14'100}},
       {}},
      {"a partial exit leaves a lot open",
       {fill("a", S, 2, 100, 1), fill("b", B, 1, 98, 2)},
       {{Side::kShort, 1, 1, 2, Ticks(100), Ticks(98), "a", "b", 2'500, 450, 2'050}},
       {{Side::kShort, 1, 1, Ticks(100), "a"}}},
      {"a larger fill reverses the position",
       {fill("a", B, 1, 100, 1), fill("b", S, 3, 96, 2)},
       {{Side::kLong, 1, 1, 2, Ticks(100), Ticks(96), "a", "b", -5'000, 450, -5'450}},
       {{Side::kShort, 2, 2, Ticks(96), "b"}}},
      {"no fills", {}, {}, {}},
  };
  for (const auto& r : rows) {
    const RoundTrips got = reconstruct_round_trips(r.fills, kEsTickValue, 225);
    EXPECT_EQ(got.trips, r.expected) << r.name;
    EXPECT_EQ(got.open, r.open) << r.name;
  }
}

class SessionReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("daytrader_report_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto j = Journal::open(journal_path(dir_));
    ASSERT_TRUE(j) << j.error().message;
    journal_ = std::move(j).value();
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  void order(std::string id, OrderRole role, OrderSide side, OrderType type,
             std::optional<std::int64_t> price, std::int64_t ns, std::optional<std::string> parent = {}) {
    OrderRow o;
    o.client_order_id = std::move(id);
    o.trade_date = kDay;
    o.role = role;
    o.side = side;
    o.type = type;
    if (price) o.price = Ticks(*price);
    o.parent_client_order_id = std::move(parent);
    o.created_wall_ns = ns;
    const auto r = journal_->record_intent(o);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(journal_->mark_sent(o.client_order_id, ns + 1'000'000));
  }
  void finish(const std::string& id, OrderStatus status, std::int64_t ns,
              std::optional<std::int64_t> avg = {}) {
    OrderUpdate u;
    u.status = status;
    u.server_order_id = "SRV-" + id;
    u.filled_quantity = status == OrderStatus::kFilled ? 1 : 0;
    if (avg) u.avg_fill_price = Ticks(*avg);
    u.wall_ns = ns;
    ASSERT_TRUE(journal_->update_order(id, u));
  }
  void filled(std::string exec_id, const std::string& id, OrderSide side, std::int64_t price,
              std::int64_t ns) {
    FillRow f = fill(std::move(exec_id), side, 1, price, ns, id);
    f.server_order_id = "SRV-" + id;
    ASSERT_TRUE(journal_->record_fill(f));
    finish(id, OrderStatus::kFilled, ns + 2'000'000, price);
  }

  // A scripted day: a long entry filled, its target filled and stop canceled; a short entry
  // filled, its stop filled and target canceled; a fault.
  void script_day() {
    ASSERT_TRUE(journal_->set_meta("symbol", "ESM4"));
    ASSERT_TRUE(journal_->set_meta("account", "Sim1"));
    ASSERT_TRUE(journal_->set_meta("commission_per_side_cents", "225"));
    using R = OrderRole;
    using T = OrderType;
    const auto B = OrderSide::kBuy;
    const auto S = OrderSide::kSell;
    order("E1", R::kEntry, B, T::kMarket, {}, kT0);
    filled("X1", "E1", B, 18000, kT0 + 250'000'000);
    order("T1", R::kTarget, S, T::kLimit, 18008, kT0 + 300'000'000, "E1");
    order("S1", R::kStop, S, T::kStop, 17992, kT0 + 301'000'000, "E1");
    filled("X2", "T1", S, 18008, kT0 + 15 * kMinute);
    finish("S1", OrderStatus::kCanceled, kT0 + 15 * kMinute + 5'000'000);

    order("E2", R::kEntry, S, T::kMarket, {}, kT0 + 30 * kMinute);
    filled("X3", "E2", S, 18020, kT0 + 30 * kMinute + 100'000'000);
    order("T2", R::kTarget, B, T::kLimit, 18012, kT0 + 30 * kMinute + 200'000'000, "E2");
    order("S2", R::kStop, B, T::kStop, 18024, kT0 + 30 * kMinute + 201'000'000, "E2");
    filled("X4", "S2", B, 18024, kT0 + 40 * kMinute);
    finish("T2", OrderStatus::kCanceled, kT0 + 40 * kMinute + 5'000'000);

    ASSERT_TRUE(journal_->append_event(
        EventRow::of(EventKind::kFault, kT0 + 50 * kMinute, "DTC heartbeat missed for 5 s", kDay)));
    DayState s;
    s.trade_date = kDay;
    s.start_balance_cents = 5'000'000;
    s.realized_cents = 4'100;
    s.high_water_mark_cents = 5'009'550;
    s.orders_sent = 6;
    s.trades = 2;
    s.updated_wall_ns = kT0 + 50 * kMinute;
    ASSERT_TRUE(journal_->save_day_state(s));
  }

  // The report's line that contains `needle`, or "".
  static std::string line_with(const std::string& report, const std::string& needle) {
    std::istringstream in(report);
    for (std::string l; std::getline(in, l);)
      if (l.find(needle) != std::string::npos) return l;
    return {};
  }

  // The whitespace-separated words of a line.
  static std::vector<std::string> tokens(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(SessionReportTest, RendersTheRoundTripsAndPnlOfAScriptedDay) {
  script_day();
  const auto r = format_session_report(*journal_, kDay, 0.25, kEsTickValue);
  ASSERT_TRUE(r) << r.error().message;
  const std::string& report = *r;

  using Tokens = std::vector<std::string>;
  EXPECT_NE(report.find("Journal " + journal_path(dir_).string()), std::string::npos) << report;
  EXPECT_NE(line_with(report, "symbol").find("ESM4"), std::string::npos) << report;
  EXPECT_NE(report.find("commission $2.25 per contract per side"), std::string::npos) << report;
  EXPECT_NE(report.find("== Trade date 2024-03-05 =="), std::string::npos) << report;
  EXPECT_NE(report.find("Orders (6)"), std::string::npos) << report;
  EXPECT_NE(report.find("Fills (4)"), std::string::npos) << report;
  EXPECT_NE(report.find("Round trips (2)"), std::string::npos) << report;
  // Order rows: the target at 4502.00 (18008 ticks), filled, with its parent.
  const std::string t1 = line_with(report, "  T1  ");
  EXPECT_NE(t1.find("target"), std::string::npos) << report;
  EXPECT_NE(t1.find("4502.00"), std::string::npos) << report;
  EXPECT_NE(t1.find("filled"), std::string::npos) << report;
  EXPECT_NE(t1.find("E1"), std::string::npos) << report;
  EXPECT_NE(line_with(report, "  S1  ").find("canceled"), std::string::npos) << report;
  // Round trips: long 4500.00 -> 4502.00 by the target, +8 ticks = $100.00 less 2 x $2.25;
  // short 4505.00 -> 4506.00 by the stop, -4 ticks = -$50.00 less 2 x $2.25.
  EXPECT_EQ(tokens(line_with(report, "  1  long")),
            (Tokens{"1", "long", "1", "2024-03-05", "14:30:00.250", "4500.00", "2024-03-05", "14:45:00.000",
                    "4502.00", "target", "+8", "$100.00", "$4.50", "$95.50"}))
      << report;
  EXPECT_EQ(tokens(line_with(report, "  2  short")),
            (Tokens{"2", "short", "1", "2024-03-05", "15:00:00.100", "4505.00", "2024-03-05", "15:10:00.000",
                    "4506.00", "stop", "-4", "-$50.00", "$4.50", "-$54.50"}))
      << report;
  EXPECT_NE(report.find("Day P&L: 2 round trips, gross $50.00, commission $9.00, net $41.00"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("Open at the end of the fills: none"), std::string::npos) << report;
  EXPECT_NE(report.find("Risk state: lockout none, killed no, halted no"), std::string::npos) << report;
  EXPECT_NE(report.find("start balance $50,000.00, realized $41.00, high-water mark $50,095.50"),
            std::string::npos)
      << report;
  EXPECT_NE(line_with(report, "DTC heartbeat missed for 5 s").find("fault"), std::string::npos) << report;
  EXPECT_NE(line_with(report, "DTC heartbeat missed").find("2024-03-05 15:20:00.000"), std::string::npos)
      << report;
}

TEST_F(SessionReportTest, ReportsEveryDateWithoutCommissionWhenTheMetaHasNone) {
  const auto B = OrderSide::kBuy;
  const auto S = OrderSide::kSell;
  ASSERT_TRUE(journal_->record_fill(fill("a", B, 1, 18000, kT0)));
  ASSERT_TRUE(journal_->record_fill(fill("b", S, 1, 18001, kT0 + kMinute)));
  FillRow next = fill("c", S, 2, 18000, kT0 + 1440 * kMinute);
  next.trade_date = kDay + 1;
  ASSERT_TRUE(journal_->record_fill(next));
  DayState s;
  s.trade_date = kDay + 1;
  s.lockout = "drawdown";
  s.killed = true;
  s.halted = true;
  s.halt_reason = "operator kill";
  ASSERT_TRUE(journal_->save_day_state(s));
  ASSERT_TRUE(
      journal_->append_event(EventRow::of(EventKind::kKill, kT0 + 1441 * kMinute, "kill switch", kDay + 1)));
  ASSERT_TRUE(
      journal_->append_event(EventRow::of(EventKind::kFault, kT0, "config reload failed")));  // no date

  const auto r = format_session_report(*journal_, std::nullopt, 0.25, kEsTickValue);
  ASSERT_TRUE(r) << r.error().message;
  const std::string& report = *r;
  EXPECT_NE(report.find("commission none"), std::string::npos) << report;
  EXPECT_NE(report.find("== Trade date 2024-03-05 =="), std::string::npos) << report;
  EXPECT_NE(report.find("== Trade date 2024-03-06 =="), std::string::npos) << report;
  EXPECT_NE(report.find("Day P&L: 1 round trips, gross $12.50, commission $0.00, net $12.50"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("Open at the end of the fills: short 2 @ 4500.00"), std::string::npos) << report;
  EXPECT_NE(report.find("Risk state: lockout drawdown, killed yes, halted yes (operator kill)"),
            std::string::npos)
      << report;
  EXPECT_NE(line_with(report, "kill switch").find("kill"), std::string::npos) << report;
  EXPECT_NE(report.find("without a trade date"), std::string::npos) << report;
  EXPECT_NE(line_with(report, "config reload failed").find("fault"), std::string::npos) << report;
  EXPECT_NE(report.find("Orders (0)"), std::string::npos) << report;
}

TEST_F(SessionReportTest, RefusesABadCommissionNamingTheKeyAndValue) {
  ASSERT_TRUE(journal_->set_meta("commission_per_side_cents", "2.25"));
  const auto r = format_session_report(*journal_, kDay, 0.25, kEsTickValue);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("commission_per_side_cents '2.25'"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(journal_path(dir_).string()), std::string::npos) << r.error().message;
}

TEST_F(SessionReportTest, AnEmptyJournalSaysSo) {
  const auto r = format_session_report(*journal_, std::nullopt, 0.25, kEsTickValue);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->find("No trade dates in the journal"), std::string::npos) << *r;
}

}  // namespace
}  // namespace daytrader::journal
