// Orders against the simulator over 127.0.0.1, with the replay released record by record
// (speed "step") so each order meets a known market: market fill, bracket target, bracket stop,
// cancel, flatten; position and balance updates checked against the fills.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>

#include "../net/loopback_support.h"

namespace daytrader::testing {
namespace {

// Every record prints at the bid: bid = price, ask = price + 0.25.
std::vector<scid::Record> path() {
  const float prices[] = {5000.00F, 5000.00F,             // (a) market + flatten
                          5000.50F, 5001.00F, 5001.25F,   // (b) bracket target
                          5001.00F, 5000.50F,             // (c) bracket stop
                          5000.50F, 5000.50F, 5000.50F};  // (d), (e)
  std::vector<scid::Record> out;
  std::int64_t t = kStartUnixUs;
  for (const float p : prices) out.push_back(tick(t += 1'000'000, p, 1, false));
  return out;
}

struct Session {
  SimHarness h{path(), sim::ReplaySpeed::parse("step").value()};
  Recorder r;
  net::Client c{client_options(h.server.port()), r};
  std::size_t released = 0;
  int next_id = 1;

  Session() {
    c.subscribe(subscription(1));
    c.start();
    EXPECT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataSnapshot>() == 1; }));
  }
  ~Session() { c.stop(); }

  void release(std::size_t n) {
    released += n;
    h.sim.release(n);
    ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() == released; }));
  }
  std::string id() { return fmt::format("T-{}", next_id++); }

  // The first ORDER_UPDATE for client_id with this status (waits for it).
  dtc::OrderUpdate wait_update(const std::string& client_id, dtc::OrderStatus status) {
    dtc::OrderUpdate found;
    const bool ok = r.wait([&] {
      for (const auto& m : r.messages)
        if (const auto* u = std::get_if<dtc::OrderUpdate>(&m);
            u && u->client_order_id.view() == client_id && u->order_status == status) {
          found = *u;
          return true;
        }
      return false;
    });
    EXPECT_TRUE(ok) << "no ORDER_UPDATE " << client_id << " status " << static_cast<int>(status);
    return found;
  }

  dtc::SubmitNewSingleOrder single(const std::string& cid, dtc::OrderType type, dtc::BuySell side,
                                   double price = 0) {
    dtc::SubmitNewSingleOrder o;
    o.symbol = "ESZ25";
    o.exchange = "CME";
    o.trade_account = "SIM1";
    o.client_order_id = cid;
    o.order_type = type;
    o.buy_sell = side;
    o.price1 = price;
    o.quantity = 1;
    o.time_in_force = dtc::TimeInForce::kDay;
    o.is_automated_order = 1;
    return o;
  }

  // Parent market buy + OCO (target limit sell, stop sell): §8(c).
  std::array<std::string, 3> bracket(double target, double stop) {
    const std::string p = id(), t = id(), s = id();
    auto parent = single(p, dtc::OrderType::kMarket, dtc::BuySell::kBuy);
    parent.is_parent_order = 1;
    dtc::SubmitNewOcoOrder oco;
    oco.symbol = "ESZ25";
    oco.exchange = "CME";
    oco.trade_account = "SIM1";
    oco.client_order_id_1 = t;
    oco.order_type_1 = dtc::OrderType::kLimit;
    oco.buy_sell_1 = dtc::BuySell::kSell;
    oco.price1_1 = target;
    oco.quantity_1 = 1;
    oco.client_order_id_2 = s;
    oco.order_type_2 = dtc::OrderType::kStop;
    oco.buy_sell_2 = dtc::BuySell::kSell;
    oco.price1_2 = stop;
    oco.quantity_2 = 1;
    oco.time_in_force = dtc::TimeInForce::kDay;
    oco.parent_trigger_client_order_id = p;
    oco.partial_fill_handling = dtc::PartialFillHandling::kReduceQuantity;
    c.send(parent);
    c.send(oco);
    return {p, t, s};
  }
};

TEST(OrderLifecycle, MarketBracketsCancelAndFlattenKeepPositionAndBalanceConsistent) {
  Session s;
  s.release(2);  // 5000.00 bid / 5000.25 ask

  // (a) Market buy fills at the ask; flatten sells at the bid.
  const auto a = s.id();
  s.c.send(s.single(a, dtc::OrderType::kMarket, dtc::BuySell::kBuy));
  auto fa = s.wait_update(a, dtc::OrderStatus::kFilled);
  EXPECT_EQ(fa.last_fill_price, 5000.25);
  EXPECT_EQ(fa.last_fill_quantity, 1);
  EXPECT_FALSE(fa.last_fill_execution_id.empty());
  const auto fl = s.id();
  dtc::SubmitFlattenPositionOrder flat;
  flat.symbol = "ESZ25";
  flat.trade_account = "SIM1";
  flat.client_order_id = fl;
  s.c.send(flat);
  EXPECT_EQ(s.wait_update(fl, dtc::OrderStatus::kFilled).last_fill_price, 5000.00);

  // (b) Bracket, target hit: a touch of 5001.00 is not a fill, a trade through it is.
  const auto b = s.bracket(5001.00, 4999.00);
  EXPECT_EQ(s.wait_update(b[1], dtc::OrderStatus::kPendingChild).parent_server_order_id,
            s.wait_update(b[0], dtc::OrderStatus::kFilled).server_order_id);
  EXPECT_EQ(s.wait_update(b[0], dtc::OrderStatus::kFilled).last_fill_price, 5000.25);
  const auto target_open = s.wait_update(b[1], dtc::OrderStatus::kOpen);
  EXPECT_EQ(target_open.order_update_reason, dtc::OrderUpdateReason::kGeneralOrderUpdate);
  EXPECT_EQ(target_open.oco_linked_order_server_order_id,
            s.wait_update(b[2], dtc::OrderStatus::kOpen).server_order_id);
  s.release(2);  // 5000.50, 5001.00
  {
    std::lock_guard l(s.r.mutex);
    for (const auto& m : s.r.messages)
      if (const auto* u = std::get_if<dtc::OrderUpdate>(&m)) {
        EXPECT_FALSE(u->client_order_id.view() == b[1] && u->order_status == dtc::OrderStatus::kFilled);
      }
  }
  s.release(1);  // 5001.25
  EXPECT_EQ(s.wait_update(b[1], dtc::OrderStatus::kFilled).last_fill_price, 5001.00);
  EXPECT_EQ(s.wait_update(b[2], dtc::OrderStatus::kCanceled).order_update_reason,
            dtc::OrderUpdateReason::kOrderCanceled);

  // (c) Bracket, stop hit: filled at the bid when a trade reaches the stop.
  const auto c = s.bracket(5003.00, 5000.50);
  EXPECT_EQ(s.wait_update(c[0], dtc::OrderStatus::kFilled).last_fill_price, 5001.50);
  (void)s.wait_update(c[2], dtc::OrderStatus::kOpen);
  s.release(2);  // 5001.00, 5000.50
  EXPECT_EQ(s.wait_update(c[2], dtc::OrderStatus::kFilled).last_fill_price, 5000.50);
  (void)s.wait_update(c[1], dtc::OrderStatus::kCanceled);

  // (d) A resting limit, canceled.
  const auto d = s.id();
  s.c.send(s.single(d, dtc::OrderType::kLimit, dtc::BuySell::kBuy, 4990.00));
  const auto d_open = s.wait_update(d, dtc::OrderStatus::kOpen);
  dtc::CancelOrder cancel;
  cancel.server_order_id = d_open.server_order_id;
  cancel.client_order_id = d;
  cancel.trade_account = "SIM1";
  s.c.send(cancel);
  EXPECT_EQ(s.wait_update(d, dtc::OrderStatus::kCanceled).order_update_reason,
            dtc::OrderUpdateReason::kOrderCanceled);

  // (e) The flatten procedure (§7.11): cancel the working order, then flatten the position.
  s.release(1);  // 5000.50 / 5000.75
  const auto e = s.id();
  s.c.send(s.single(e, dtc::OrderType::kMarket, dtc::BuySell::kBuy));
  EXPECT_EQ(s.wait_update(e, dtc::OrderStatus::kFilled).last_fill_price, 5000.75);
  const auto e_target = s.id();
  s.c.send(s.single(e_target, dtc::OrderType::kLimit, dtc::BuySell::kSell, 5010.00));
  const auto working = s.wait_update(e_target, dtc::OrderStatus::kOpen);
  cancel.server_order_id = working.server_order_id;
  cancel.client_order_id = e_target;
  s.c.send(cancel);
  (void)s.wait_update(e_target, dtc::OrderStatus::kCanceled);
  const auto fl2 = s.id();
  flat.client_order_id = fl2;
  s.c.send(flat);
  EXPECT_EQ(s.wait_update(fl2, dtc::OrderStatus::kFilled).last_fill_price, 5000.50);

  // The requests agree: flat, no working orders, balance = start + P&L - commissions.
  dtc::CurrentPositionsRequest positions;
  positions.request_id = 5;
  s.c.send(positions);
  dtc::OpenOrdersRequest open;
  open.request_id = 6;
  s.c.send(open);
  dtc::AccountBalanceRequest balance;
  balance.request_id = 7;
  s.c.send(balance);
  ASSERT_TRUE(s.r.wait([&] {
    for (const auto& m : s.r.messages)
      if (const auto* b7 = std::get_if<dtc::AccountBalanceUpdate>(&m); b7 && b7->request_id == 7) return true;
    return false;
  }));

  // Replay the whole stream through an independent ledger.
  std::lock_guard l(s.r.mutex);
  const double start = 50000.00, commission = 2.25, point_value = 50.0;
  int position = 0;
  double entry = 0, realized = 0, fees = 0;
  int fills = 0, position_updates = 0, balance_updates = 0;
  for (const auto& m : s.r.messages) {
    if (const auto* u = std::get_if<dtc::OrderUpdate>(&m);
        u && u->order_update_reason == dtc::OrderUpdateReason::kOrderFilled) {
      ++fills;
      const int q = u->buy_sell == dtc::BuySell::kBuy ? 1 : -1;
      if (position == 0) {
        entry = u->last_fill_price;
      } else {
        realized += (u->last_fill_price - entry) * position * point_value;
      }
      position += q;
      fees += commission;
    } else if (const auto* p = std::get_if<dtc::PositionUpdate>(&m); p && p->unsolicited == 1) {
      ++position_updates;
      EXPECT_EQ(p->quantity, position) << "after fill " << fills;
      if (position != 0) {
        EXPECT_EQ(p->average_price, entry);
      }
    } else if (const auto* bu = std::get_if<dtc::AccountBalanceUpdate>(&m); bu && bu->unsolicited == 1) {
      ++balance_updates;
      EXPECT_DOUBLE_EQ(bu->cash_balance, start + realized - fees) << "after fill " << fills;
    }
  }
  EXPECT_EQ(fills, 8);
  EXPECT_EQ(position_updates, 8);
  EXPECT_EQ(balance_updates, 8);
  EXPECT_EQ(position, 0);
  EXPECT_DOUBLE_EQ(realized, -12.50 + 37.50 - 50.00 - 12.50);
  for (const auto& m : s.r.messages) {
    if (const auto* p = std::get_if<dtc::PositionUpdate>(&m); p && p->request_id == 5) {
      EXPECT_EQ(p->no_positions, 1);
    }
    if (const auto* u = std::get_if<dtc::OrderUpdate>(&m); u && u->request_id == 6) {
      EXPECT_EQ(u->no_orders, 1);
    }
    if (const auto* bu = std::get_if<dtc::AccountBalanceUpdate>(&m); bu && bu->request_id == 7) {
      EXPECT_DOUBLE_EQ(bu->cash_balance, 49944.50);
      EXPECT_DOUBLE_EQ(bu->daily_profit_loss, -55.50);
      EXPECT_EQ(bu->trade_account, "SIM1");
    }
  }
}

TEST(OrderLifecycle, InvalidOrdersAreRejectedWithTheReason) {
  Session s;
  const auto early = s.id();
  s.c.send(s.single(early, dtc::OrderType::kMarket, dtc::BuySell::kBuy));
  EXPECT_EQ(s.wait_update(early, dtc::OrderStatus::kRejected).info_text,
            "no market data yet for ESZ25: subscribe before sending market orders");
  s.release(1);
  const auto off_grid = s.id();
  s.c.send(s.single(off_grid, dtc::OrderType::kLimit, dtc::BuySell::kBuy, 4999.10));
  EXPECT_EQ(s.wait_update(off_grid, dtc::OrderStatus::kRejected).info_text,
            "Price1 4999.1 is not on the 0.25 tick grid");
  const auto dup = s.id();
  s.c.send(s.single(dup, dtc::OrderType::kLimit, dtc::BuySell::kBuy, 4990.00));
  (void)s.wait_update(dup, dtc::OrderStatus::kOpen);
  s.c.send(s.single(dup, dtc::OrderType::kLimit, dtc::BuySell::kBuy, 4990.00));
  EXPECT_EQ(s.wait_update(dup, dtc::OrderStatus::kRejected).info_text.view(),
            "ClientOrderID \"" + dup + "\" was already used in this session");
  dtc::CancelOrder cancel;
  cancel.server_order_id = "S999";
  s.c.send(cancel);
  ASSERT_TRUE(s.r.wait([&] {
    for (const auto& m : s.r.messages)
      if (const auto* u = std::get_if<dtc::OrderUpdate>(&m);
          u && u->order_update_reason == dtc::OrderUpdateReason::kOrderCancelRejected)
        return u->info_text == "unknown ServerOrderID \"S999\"";
    return false;
  }));
}

}  // namespace
}  // namespace daytrader::testing
