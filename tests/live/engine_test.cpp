// live::Engine without I/O: scripted trades, a scripted policy and a scripted broker. The risk
// rules as a table: each row is a situation and the orders that must (and must not) follow.

#include "live/engine.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/session_calendar.h"
#include "features/feature_set.h"

namespace daytrader::live {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int32_t kTradeDate = 19787;  // 2024-03-05, a Tuesday

core::Timestamp at(int hh, int mm, int ss = 0) {
  const auto& cal = core::SessionCalendar::cme_globex();
  return cal.at(date::sys_days(date::days(kTradeDate)), core::LocalTimeOfDay{hh * 60 + mm, ss});
}

features::Scaler make_scaler(const features::FeatureSet& fs) {
  // A scaler fitted on two rows that differ in every column: any finite row transforms.
  std::vector<float> rows(fs.size() * 2, 0.0F);
  for (std::size_t c = 0; c < fs.size(); ++c) rows[fs.size() + c] = 1.0F;
  return features::Scaler::fit(features::ScalerKind::kMinMax, fs, rows).value();
}

struct Harness {
  int action = 4;  // what the policy answers
  std::unique_ptr<Engine> engine;
  std::vector<Command> sent;
  core::Ticks price{4 * 5000};
  core::Timestamp clock{};

  explicit Harness(LiveLimits limits = {}, exec::RiskLimits risk = {}) {
    EngineSettings s;
    s.limits = limits;
    s.env.risk = risk;
    s.bar = bars::BarSpec{bars::BarKind::kTime, 60};
    auto fs = features::FeatureSet::by_name(s.features.feature_set, s.features).value();
    engine = std::make_unique<Engine>(s, make_scaler(fs), [this](std::span<const float>) { return action; },
                                      fs.size() + env::kAccountValues);
    // Warm up from 07:00 to 08:00 exchange time: bars, no decisions.
    for (auto t = at(7, 0); t < at(8, 0); t += seconds(20)) engine->warm_up(trade(t));
    engine->go_live(at(8, 0));
    clock = at(8, 0);
  }
  market::Trade trade(core::Timestamp t) const {
    market::Trade x;
    x.ts = t;
    x.price = price;
    x.volume = 2;
    x.ask_volume = 2;
    return x;
  }
  // Trades every 20 s up to (not including) `until`, then the clock at `until`.
  void run_to(core::Timestamp until) {
    for (; clock < until; clock += seconds(20)) {
      engine->on_trade(trade(clock));
      collect();
    }
    engine->on_time(until);
    collect();
  }
  void collect() {
    for (auto& c : engine->take_commands()) sent.push_back(std::move(c));
    for (auto& r : engine->take_records()) records.push_back(std::move(r));
  }
  std::vector<Record> records;
  template <class T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const auto& c : sent)
      if (const auto* x = std::get_if<T>(&c)) out.push_back(*x);
    return out;
  }
  void event(const std::string& id, OrderEvent::Status st, std::int64_t fill_qty = 0, std::int64_t fill_ticks = 0) {
    OrderEvent e;
    e.client_id = id;
    e.server_id = "S" + id;
    e.status = st;
    e.fill_quantity = fill_qty;
    e.fill_price = core::Ticks(fill_ticks);
    e.fill_time = clock;
    engine->on_order_event(e, clock);
    collect();
  }
  // The broker accepts and fills the entry at `fill`, and the legs start working.
  SubmitBracket fill_entry(std::int64_t fill) {
    const auto b = of<SubmitBracket>().back();
    event(b.entry_id, OrderEvent::Status::kFilled, 1, fill);
    event(b.target_id, OrderEvent::Status::kOpen);
    event(b.stop_id, OrderEvent::Status::kOpen);
    return b;
  }
  bool has_fault(const std::string& fragment) {
    collect();
    for (const auto& r : records)
      if (r.text.find(fragment) != std::string::npos) return true;
    return false;
  }
};

TEST(LiveEngine, EntersWithTheModelsBracketInsideTheWindowOnly) {
  Harness h;
  h.action = 0;  // buy entry
  h.run_to(at(8, 29, 30));
  EXPECT_TRUE(h.of<SubmitBracket>().empty()) << "no order before the window";
  h.run_to(at(8, 31));  // the 08:30 and 08:31 bars close: entry at the 08:30 decision
  ASSERT_EQ(h.of<SubmitBracket>().size(), 1U);
  const auto b = h.of<SubmitBracket>()[0];
  EXPECT_EQ(b.side, exec::Side::kLong);
  EXPECT_EQ(b.target_offset_ticks, 10);
  EXPECT_EQ(b.stop_offset_ticks, 10);
  EXPECT_EQ(b.quantity, 1);
  EXPECT_EQ(h.engine->decisions().front().bar_close, at(8, 30));
}

TEST(LiveEngine, RiskRulesTable) {
  struct Row {
    std::string name;
    std::function<void(Harness&)> script;
    std::size_t brackets;  // entries that must have been sent
    std::size_t markets;   // offsetting exits
    std::size_t cancels;
    std::string record;  // a fragment that must appear in the records ("" = none checked)
  };
  LiveLimits tight;
  tight.max_trades_per_day = 1;
  const std::vector<Row> rows = {
      {"no new entry while the entry is pending; an unanswered entry is canceled",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 35));  // entry sent at 08:30, never answered: the next decisions are refused
         EXPECT_TRUE(h.has_fault("an order is pending"));
       },
       1, 0, 3, "No answer from the server for entry"},
      {"max trades per day",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.event(b.target_id, OrderEvent::Status::kFilled, 1, 20010);  // target hit
         h.event(b.stop_id, OrderEvent::Status::kCanceled);             // OCO
         h.run_to(at(8, 40));
       },
       1, 0, 0, "max_trades_per_day 1 reached"},
      {"the final decision flattens: cancel the legs first, then offset",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.action = 4;
         h.run_to(at(14, 30, 20));  // the 14:30 bar is the final decision
         EXPECT_TRUE(h.of<SubmitMarket>().empty()) << "no offset before the legs are canceled";
         h.event(b.target_id, OrderEvent::Status::kCanceled);
         h.event(b.stop_id, OrderEvent::Status::kCanceled);
         ASSERT_EQ(h.of<SubmitMarket>().size(), 1U);
         EXPECT_EQ(h.of<SubmitMarket>()[0].side, exec::OrderSide::kSell);
         EXPECT_EQ(h.of<SubmitMarket>()[0].reason, exec::ExitReason::kEndOfDay);
         h.event(h.of<SubmitMarket>()[0].id, OrderEvent::Status::kFilled, 1, 20000);
         EXPECT_TRUE(h.engine->is_done_for_day());
         h.action = 0;
         h.run_to(at(14, 40));
       },
       1, 1, 2, "Flatten reason=end_of_day"},
      {"a drawdown lockout flattens and refuses entries",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.price = core::Ticks(20000 - 90);  // -90 ticks = -$1,125 at the next close
         h.run_to(at(8, 33));
         h.event(b.target_id, OrderEvent::Status::kCanceled);
         h.event(b.stop_id, OrderEvent::Status::kCanceled);
         h.event(h.of<SubmitMarket>().at(0).id, OrderEvent::Status::kFilled, 1, 20000 - 90);
         h.run_to(at(8, 40));
       },
       1, 1, 2, "Lockout drawdown"},
      {"bracket legs never acknowledged: flatten",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.of<SubmitBracket>().back();
         h.event(b.entry_id, OrderEvent::Status::kFilled, 1, 20000);
         h.action = 4;
         h.run_to(at(8, 31, 40));  // > 5 s without the legs
       },
       1, 0, 2, "not acknowledged"},
      {"stale feed inside the window: flatten and pause",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.engine->on_time(at(8, 34, 30));  // no trade since 08:30:40
         h.collect();
         h.event(b.target_id, OrderEvent::Status::kCanceled);
         h.event(b.stop_id, OrderEvent::Status::kCanceled);
         EXPECT_TRUE(h.engine->is_paused());
       },
       1, 1, 2, "Stale feed"},
      {"kill switch: flatten and no new entry",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.engine->kill("KILL file", h.clock);
         h.collect();
         h.event(b.target_id, OrderEvent::Status::kCanceled);
         h.event(b.stop_id, OrderEvent::Status::kCanceled);
         h.event(h.of<SubmitMarket>().at(0).id, OrderEvent::Status::kFilled, 1, 20000);
         h.run_to(at(8, 40));
       },
       1, 1, 2, "Kill switch"},
      {"a rejected exit halts",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.action = 1;  // buy exit
         h.run_to(at(8, 32));
         h.event(b.target_id, OrderEvent::Status::kCanceled);
         h.event(b.stop_id, OrderEvent::Status::kCanceled);
         h.event(h.of<SubmitMarket>().at(0).id, OrderEvent::Status::kRejected);
         EXPECT_TRUE(h.engine->is_halted());
       },
       1, 2, 2, "Halt: Exit order"},
      {"the server's position differs from the ledger: halt",
       [](Harness& h) {
         h.engine->on_server_position(1, h.clock);
         h.run_to(at(8, 31));
         h.run_to(at(8, 32));
       },
       0, 0, 0, "Position mismatch"},
      {"a fill of an unknown order halts",
       [](Harness& h) {
         h.event("someone-else-1", OrderEvent::Status::kFilled, 1, 20000);
         EXPECT_TRUE(h.engine->is_halted());
       },
       0, 0, 0, "does not know"},
      {"leftover legs when flat are canceled",
       [](Harness& h) {
         h.action = 0;
         h.run_to(at(8, 30));
         const auto b = h.fill_entry(20000);
         h.action = 4;
         h.event(b.target_id, OrderEvent::Status::kFilled, 1, 20010);  // the server forgot the OCO
         h.run_to(at(8, 32));
       },
       1, 0, 1, ""},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    Harness h(row.name == "max trades per day" ? tight : LiveLimits{});
    row.script(h);
    EXPECT_EQ(h.of<SubmitBracket>().size(), row.brackets);
    EXPECT_EQ(h.of<SubmitMarket>().size(), row.markets);
    EXPECT_EQ(h.of<CancelOrder>().size(), row.cancels);
    if (h.of<CancelOrder>().size() != row.cancels)
      for (const auto& r : h.records)
        if (r.kind != RecordKind::kBar && r.kind != RecordKind::kDecision) ADD_FAILURE() << r.text;
    if (!row.record.empty()) {
      EXPECT_TRUE(h.has_fault(row.record)) << "no record containing \"" << row.record << "\"";
    }
  }
}

TEST(LiveEngine, RestoreReplaysTheJournalsFillsAndKeepsLockouts) {
  Harness h;
  RestoredDay day;
  day.trade_date = kTradeDate;
  day.lockout = exec::Lockout::kProfitTarget;
  day.trades = 3;
  day.orders_sent = 5;
  day.next_order_number = 40;
  day.fills = {{OrderRole::kEntry, exec::Side::kShort, core::Ticks(20000), at(8, 40), exec::ExitReason::kAction},
               {OrderRole::kTarget, exec::Side::kShort, core::Ticks(19990), at(8, 45), exec::ExitReason::kTarget}};
  h.engine->restore(day);
  EXPECT_TRUE(h.engine->is_flat());
  EXPECT_EQ(h.engine->rules().account().realized_cents(), 10 * 1250 - 2 * 225);
  EXPECT_TRUE(h.engine->rules().is_locked_out());
  EXPECT_EQ(h.engine->next_order_number(), 40U);
  h.action = 0;
  h.run_to(at(9, 0));
  EXPECT_TRUE(h.of<SubmitBracket>().empty()) << "the lockout holds across the restart";
}

}  // namespace
}  // namespace daytrader::live
