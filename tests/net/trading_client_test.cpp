// net::TradingClient against the stand-in server over 127.0.0.1, with the replay released record
// by record (speed "step") so each order meets a known market. Every wait is bounded.

#include <gtest/gtest.h>

#include <map>

#include "loopback_support.h"
#include "net/trading_client.h"

namespace daytrader::testing {
namespace {

constexpr auto kWait = 10s;
const std::string kSym = "ESZ25", kExch = "CME", kAcct = "SIM1";

core::Ticks px(double price) {
  core::Ticks t;
  EXPECT_TRUE(core::Instrument::es().try_to_ticks(price, t)) << price;
  return t;
}

// Every record prints at the bid: bid = price, ask = price + 0.25.
std::vector<scid::Record> path() {
  const float prices[] = {5000.00F, 5000.00F, 5000.50F, 5001.00F, 5001.25F,
                          5001.00F, 5000.50F, 5000.50F, 5000.50F, 5000.50F};
  std::vector<scid::Record> out;
  std::int64_t t = kStartUnixUs;
  for (const float p : prices) out.push_back(tick(t += 1'000'000, p, 1, false));
  return out;
}

struct Session {
  explicit Session(std::vector<scid::Record> records = path(), bool subscribe = true)
      : h(records, sim::ReplaySpeed::parse("step").value()), tc(options(h.server.port()), &r) {
    if (subscribe) tc.subscribe_market_data(1, kSym, kExch);
    tc.start();
    if (subscribe) {
      EXPECT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataSnapshot>() == 1; }, kWait));
    } else {
      EXPECT_TRUE(r.wait([&] { return r.logons == 1; }, kWait));
    }
  }
  static net::TradingClientOptions options(std::uint16_t port) {
    net::TradingClientOptions o;
    o.client = client_options(port);
    o.order_id_prefix = "TCT";
    return o;
  }
  void release(std::size_t n) {
    released += n;
    h.sim.release(n);
    ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() == released; }, kWait));
  }
  bool wait_status(const std::string& cid, dtc::OrderStatus status) {
    const bool ok = tc.wait_until(
        [&] {
          const auto o = tc.order(cid);
          return o && o->status == status;
        },
        kWait);
    EXPECT_TRUE(ok) << cid << " never reached status " << static_cast<int>(status);
    return ok;
  }

  SimHarness h;
  Recorder r;
  net::TradingClient tc;
  std::size_t released = 0;
};

TEST(TradingClient, ListsTheTradeAccounts) {
  Session s;
  const auto id = s.tc.request_trade_accounts();
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.request_complete(id); }, kWait));
  EXPECT_EQ(s.tc.trade_accounts(), std::vector<std::string>{kAcct});
}

TEST(TradingClient, PricesRoundTripExactlyForEs) {
  const auto es = core::Instrument::es();
  for (std::int64_t t = 19'990; t <= 20'010; ++t) {
    core::Ticks back;
    ASSERT_TRUE(es.try_to_ticks(es.to_price(core::Ticks(t)), back));
    EXPECT_EQ(back, core::Ticks(t));
  }
}

TEST(TradingClient, MarketBuyFillsAndThePositionSnapshotShowsPlusOne) {
  Session s;
  s.release(2);  // 5000.00 / 5000.25
  const auto id = s.tc.submit_market(kSym, kExch, kAcct, dtc::BuySell::kBuy, 1);
  ASSERT_TRUE(s.wait_status(id, dtc::OrderStatus::kFilled));
  EXPECT_EQ(s.tc.order(id)->average_fill_price, px(5000.25));
  EXPECT_EQ(s.tc.order(id)->filled_quantity, 1);
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.position(kAcct, kSym) == 1; }, kWait));
  // The requested snapshot agrees with the real-time one.
  const auto req = s.tc.request_positions(kAcct);
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.request_complete(req); }, kWait));
  const auto all = s.tc.positions();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].account, kAcct);
  EXPECT_EQ(all[0].symbol, kSym);
  EXPECT_EQ(all[0].quantity, 1);
  EXPECT_EQ(all[0].average_price, 5000.25);
  EXPECT_TRUE(s.tc.working_orders().empty());
}

TEST(TradingClient, BracketTargetFillsAndTheStopIsCanceled) {
  Session s;
  s.release(2);  // 5000.00 / 5000.25
  const auto b = s.tc.submit_bracket(kSym, kExch, kAcct, dtc::BuySell::kBuy, 1, dtc::OrderType::kMarket,
                                     core::Ticks{}, px(5001.00), px(4999.00));
  ASSERT_TRUE(s.wait_status(b.parent, dtc::OrderStatus::kFilled));
  ASSERT_TRUE(s.wait_status(b.target, dtc::OrderStatus::kOpen));
  ASSERT_TRUE(s.wait_status(b.stop, dtc::OrderStatus::kOpen));
  const auto target = *s.tc.order(b.target);
  const auto stop = *s.tc.order(b.stop);
  EXPECT_EQ(target.oco_linked_server_order_id, stop.server_order_id);
  EXPECT_EQ(target.side, dtc::BuySell::kSell);
  EXPECT_EQ(target.price1, px(5001.00));
  EXPECT_EQ(stop.price1, px(4999.00));
  EXPECT_EQ(s.tc.working_orders(kAcct, kSym).size(), 2u);
  // POSITION_UPDATE may follow the children's OPEN updates.
  EXPECT_TRUE(s.tc.wait_until([&] { return s.tc.position(kAcct, kSym) == 1; }, kWait));

  s.release(3);  // 5000.50, 5001.00 (a touch), 5001.25 (through the target)
  ASSERT_TRUE(s.wait_status(b.target, dtc::OrderStatus::kFilled));
  ASSERT_TRUE(s.wait_status(b.stop, dtc::OrderStatus::kCanceled));
  EXPECT_EQ(s.tc.order(b.target)->average_fill_price, px(5001.00));
  EXPECT_TRUE(s.tc.wait_until([&] { return s.tc.position(kAcct, kSym) == 0; }, kWait));
  EXPECT_TRUE(s.tc.working_orders(kAcct, kSym).empty());
}

TEST(TradingClient, CancelsAWorkingLimit) {
  Session s;
  s.release(1);
  const auto id = s.tc.submit_limit(kSym, kExch, kAcct, dtc::BuySell::kBuy, 1, px(4990.00));
  ASSERT_TRUE(s.wait_status(id, dtc::OrderStatus::kOpen));
  const auto working = s.tc.working_orders(kAcct, kSym);
  ASSERT_EQ(working.size(), 1u);
  EXPECT_EQ(working[0].client_order_id, id);
  EXPECT_EQ(working[0].price1, px(4990.00));
  s.tc.cancel(working[0].server_order_id);
  ASSERT_TRUE(s.wait_status(id, dtc::OrderStatus::kCanceled));
  EXPECT_EQ(s.tc.order(id)->last_reason, dtc::OrderUpdateReason::kOrderCanceled);
  EXPECT_TRUE(s.tc.working_orders().empty());
  // The server agrees: no open orders.
  const auto req = s.tc.request_open_orders(kAcct);
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.request_complete(req); }, kWait));
  EXPECT_TRUE(s.tc.working_orders().empty());
}

TEST(TradingClient, FlattenCancelsWorkingOrdersAndClosesThePosition) {
  Session s;
  s.release(2);  // 5000.00 / 5000.25
  const auto buy = s.tc.submit_market(kSym, kExch, kAcct, dtc::BuySell::kBuy, 1);
  ASSERT_TRUE(s.wait_status(buy, dtc::OrderStatus::kFilled));
  const auto target = s.tc.submit_limit(kSym, kExch, kAcct, dtc::BuySell::kSell, 1, px(5010.00));
  const auto protect = s.tc.submit_stop(kSym, kExch, kAcct, dtc::BuySell::kSell, 1, px(4990.00));
  ASSERT_TRUE(s.wait_status(target, dtc::OrderStatus::kOpen));
  ASSERT_TRUE(s.wait_status(protect, dtc::OrderStatus::kOpen));
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.position(kAcct, kSym) == 1; }, kWait));

  net::FlattenOptions fo;
  fo.step_timeout = 5s;
  const auto res = s.tc.flatten(kSym, kExch, kAcct, fo);
  EXPECT_TRUE(res.flat);
  EXPECT_EQ(res.attempts, 1);
  EXPECT_EQ(res.canceled.size(), 2u);
  EXPECT_FALSE(res.cancel_timed_out);
  EXPECT_EQ(res.position_before, 1);
  ASSERT_EQ(res.closing_orders.size(), 1u);
  EXPECT_EQ(s.tc.order(target)->status, dtc::OrderStatus::kCanceled);
  EXPECT_EQ(s.tc.order(protect)->status, dtc::OrderStatus::kCanceled);
  const auto close = *s.tc.order(res.closing_orders[0]);
  EXPECT_EQ(close.status, dtc::OrderStatus::kFilled);
  EXPECT_EQ(close.side, dtc::BuySell::kSell);
  EXPECT_EQ(close.average_fill_price, px(5000.00));  // a market sell at the bid
  EXPECT_EQ(s.tc.position(kAcct, kSym), 0);
  EXPECT_TRUE(s.tc.working_orders().empty());

  // The server's lists agree, and the balance is start + P&L - commission per side.
  const auto o = s.tc.request_open_orders(kAcct);
  const auto p = s.tc.request_positions(kAcct);
  const auto b = s.tc.request_account_balance(kAcct);
  ASSERT_TRUE(s.tc.wait_until(
      [&] { return s.tc.request_complete(o) && s.tc.request_complete(p) && s.tc.request_complete(b); }, kWait));
  EXPECT_TRUE(s.tc.working_orders().empty());
  EXPECT_EQ(s.tc.position(kAcct, kSym), 0);
  const auto bal = s.tc.balance(kAcct);
  ASSERT_TRUE(bal.has_value());
  const auto es = core::Instrument::es();
  const core::Cents pnl = es.value_cents(*close.average_fill_price - *s.tc.order(buy)->average_fill_price);
  const core::Cents fees = 2 * 225;
  EXPECT_EQ(pnl, -1250);
  EXPECT_EQ(bal->cash_balance, 5'000'000 + pnl - fees);
  EXPECT_EQ(bal->daily_profit_loss, pnl - fees);
}

TEST(TradingClient, FlattenWithTheFlattenPositionOrderAndNothingWorking) {
  Session s;
  s.release(2);
  const auto sell = s.tc.submit_market(kSym, kExch, kAcct, dtc::BuySell::kSell, 2);
  ASSERT_TRUE(s.wait_status(sell, dtc::OrderStatus::kFilled));
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.position(kAcct, kSym) == -2; }, kWait));
  net::FlattenOptions fo;
  fo.method = net::FlattenMethod::kFlattenPositionOrder;
  const auto res = s.tc.flatten(kSym, kExch, kAcct, fo);
  EXPECT_TRUE(res.flat);
  EXPECT_TRUE(res.canceled.empty());
  EXPECT_EQ(res.position_before, -2);
  ASSERT_EQ(res.closing_orders.size(), 1u);
  EXPECT_EQ(s.tc.order(res.closing_orders[0])->status, dtc::OrderStatus::kFilled);
  EXPECT_EQ(s.tc.position(kAcct, kSym), 0);
}

TEST(TradingClient, HistoryOfOneMinuteBarsEndsWithTheFinalFlag) {
  const auto records = make_fixture(400, 1'000'000);  // 400 s of records: 7 minutes
  // The expected bars, built here from the trade records.
  struct Bar {
    double open = 0, high = 0, low = 0, close = 0, volume = 0;
  };
  std::map<std::int64_t, Bar> expected;
  for (const auto& rec : records) {
    if (rec.close == 0 || rec.total_volume == 0) continue;
    const std::int64_t us = rec.date_time - scid::kEpochOffsetUs;
    const std::int64_t start = us - us % 60'000'000;
    auto [it, fresh] = expected.try_emplace(start);
    Bar& bar = it->second;
    if (fresh) bar.open = bar.high = bar.low = rec.close;
    bar.high = std::max<double>(bar.high, rec.close);
    bar.low = std::min<double>(bar.low, rec.close);
    bar.close = rec.close;
    bar.volume += rec.total_volume;
  }
  ASSERT_GE(expected.size(), 6u);

  Session s(records, false);
  std::mutex m;
  std::vector<net::HistoryRecord> got;
  std::optional<net::HistoryDone> done;
  const auto id = s.tc.request_history(
      kSym, kExch, core::Timestamp{}, core::Timestamp{}, net::HistoryInterval::kOneMinute,
      [&](const net::HistoryRecord& x) {
        std::lock_guard l(m);
        got.push_back(x);
      },
      [&](const net::HistoryDone& d) {
        std::lock_guard l(m);
        done = d;
      });
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.request_complete(id); }, kWait));
  std::lock_guard l(m);
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->ok) << done->error;
  EXPECT_EQ(done->request_id, id);
  EXPECT_EQ(done->records, expected.size());
  ASSERT_EQ(got.size(), expected.size());
  std::size_t i = 0;
  for (const auto& [start, bar] : expected) {
    const auto& x = got[i++];
    EXPECT_EQ(x.unix_us, start);
    EXPECT_EQ(x.open, px(bar.open));
    EXPECT_EQ(x.high, px(bar.high));
    EXPECT_EQ(x.low, px(bar.low));
    EXPECT_EQ(x.close, px(bar.close));
    EXPECT_EQ(x.volume, bar.volume);
  }
  // The final flag: the last 803 of the response carries IsFinalRecord = 1 (the user listener
  // sees it right after the TradingClient has handled it).
  ASSERT_TRUE(s.r.wait(
      [&] {
        for (const auto& msg : s.r.messages)
          if (const auto* x = std::get_if<dtc::HistoricalPriceDataRecordResponse>(&msg); x && x->is_final_record)
            return true;
        return false;
      },
      kWait));
  const auto raw = s.r.all<dtc::HistoricalPriceDataRecordResponse>();
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(raw.back().is_final_record, 1);
}

TEST(TradingClient, HistoryRejectIsReported) {
  Session s(path(), false);
  std::optional<net::HistoryDone> done;
  std::mutex m;
  const auto id = s.tc.request_history("NQZ25", kExch, core::Timestamp{}, core::Timestamp{},
                                       net::HistoryInterval::kTicks, nullptr, [&](const net::HistoryDone& d) {
                                         std::lock_guard l(m);
                                         done = d;
                                       });
  ASSERT_TRUE(s.tc.wait_until([&] { return s.tc.request_complete(id); }, kWait));
  std::lock_guard l(m);
  ASSERT_TRUE(done.has_value());
  EXPECT_FALSE(done->ok);
  EXPECT_NE(done->error.find("unknown symbol"), std::string::npos);
}

}  // namespace
}  // namespace daytrader::testing
