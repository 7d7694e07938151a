// The shared market (SimServerConfig::market = kShared): one replay for the whole server and
// accounts that outlive connections, as at a real broker. Sans-I/O with the replay released
// record by record, then once over 127.0.0.1.

#include <gtest/gtest.h>

#include "sim_support.h"

namespace daytrader::testing {
namespace {

using sim::FillMode;
using sim::MarketMode;
using sim::PaceMode;

// Every record prints at the bid: bid = price, ask = price + 0.25; one second apart.
std::vector<scid::Record> walk() {
  const double prices[] = {5000.00, 5000.00, 5000.50, 5000.75, 5001.00, 5000.75, 5001.25, 5001.50, 5001.75};
  std::vector<scid::Record> out;
  std::int64_t ms = 0;
  for (const double p : prices) out.push_back(trade_at(ms += 1000, p));
  return out;
}

// The four account requests, answered to the requester only.
void ask_everything(SimDriver& d, net::ConnectionId id) {
  dtc::CurrentPositionsRequest positions;
  positions.request_id = 11;
  d.send(id, positions);
  dtc::OpenOrdersRequest open;
  open.request_id = 12;
  open.request_all_orders = 1;
  d.send(id, open);
  dtc::HistoricalOrderFillsRequest fills;
  fills.request_id = 13;
  d.send(id, fills);
  dtc::AccountBalanceRequest balance;
  balance.request_id = 14;
  d.send(id, balance);
}

TEST(SharedMarket, AnAccountsBracketKeepsWorkingWhileNoClientIsConnected) {
  SimDriver d(walk(), sim_config(MarketMode::kShared, PaceMode::kNone, FillMode::kTick, "step"));
  d.logon(1);
  d.subscribe(1);
  d.release(2);  // 5000.00 / 5000.25
  d.send(1, single_order("P", dtc::OrderType::kMarket, dtc::BuySell::kBuy, 0, true));
  d.send(1, bracket_oco("P", "T", "S", dtc::BuySell::kBuy, false, 5001.00, 4999.00));
  d.poll();
  ASSERT_GE(find_update(d.messages(1), "P", dtc::OrderStatus::kFilled), 0);
  d.close(1);  // the client is gone; the account and its orders stay

  d.release(3);  // 5000.50, 5000.75, 5001.00: a touch of the target is not a fill
  d.logon(2);
  ask_everything(d, 2);
  {
    const auto positions = d.all<dtc::PositionUpdate>(2);
    ASSERT_EQ(positions.size(), 1u);
    EXPECT_EQ(positions[0].request_id, 11);
    EXPECT_EQ(positions[0].quantity, 1);
    EXPECT_EQ(positions[0].average_price, 5000.25);
    const auto open = d.all<dtc::OrderUpdate>(2);
    ASSERT_EQ(open.size(), 2u);
    EXPECT_EQ(open[0].client_order_id.view(), "T");
    EXPECT_EQ(open[0].price1, 5001.00);
    EXPECT_EQ(open[1].client_order_id.view(), "S");
    EXPECT_EQ(open[1].price1, 4999.00);
    EXPECT_EQ(open[0].oco_linked_order_server_order_id, open[1].server_order_id);
    for (const auto& u : open) {
      EXPECT_EQ(u.order_status, dtc::OrderStatus::kOpen);
      EXPECT_EQ(u.order_update_reason, dtc::OrderUpdateReason::kOpenOrdersRequestResponse);
      EXPECT_EQ(u.total_num_messages, 2);
    }
    const auto fills = d.all<dtc::HistoricalOrderFillResponse>(2);
    ASSERT_EQ(fills.size(), 1u);
    EXPECT_EQ(fills[0].price, 5000.25);
    EXPECT_EQ(fills[0].position_quantity, 1);
    const auto balance = d.all<dtc::AccountBalanceUpdate>(2);
    ASSERT_EQ(balance.size(), 1u);
    EXPECT_DOUBLE_EQ(balance[0].cash_balance, 50000.00 - 2.25);
  }
  d.close(2);

  d.release(2);  // 5000.75, then 5001.25 trades through the target: filled with nobody connected
  d.logon(3);
  ask_everything(d, 3);
  EXPECT_EQ(d.all<dtc::PositionUpdate>(3).at(0).no_positions, 1);
  EXPECT_EQ(d.all<dtc::OrderUpdate>(3).at(0).no_orders, 1);
  const auto fills = d.all<dtc::HistoricalOrderFillResponse>(3);
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[1].price, 5001.00);
  EXPECT_EQ(fills[1].position_quantity, 0);
  EXPECT_DOUBLE_EQ(d.all<dtc::AccountBalanceUpdate>(3).at(0).cash_balance, 50000.00 + 3 * 12.50 - 4.50);

  // ClientOrderIDs are unique per account, across connections.
  d.send(3, single_order("P", dtc::OrderType::kLimit, dtc::BuySell::kBuy, 4990.00));
  const int reject = find_update(d.messages(3), "P", dtc::OrderStatus::kRejected);
  ASSERT_GE(reject, 0);
  EXPECT_EQ(std::get<dtc::OrderUpdate>(d.messages(3)[static_cast<std::size_t>(reject)]).info_text.view(),
            "ClientOrderID \"P\" was already used in this session");

  // A new subscriber gets the stream from the current point on, after a snapshot of the quote.
  d.subscribe(3);
  d.release(1);
  const auto snapshots = d.all<dtc::MarketDataSnapshot>(3);
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0].bid_price, 5001.25);
  EXPECT_EQ(snapshots[0].ask_price, 5001.50);
  EXPECT_EQ(trade_prices(d.messages(3)), (std::vector<double>{5001.50}));
}

TEST(SharedMarket, UpdatesGoToEveryConnectionOfTheAccountAndRepliesToTheRequester) {
  SimDriver d(walk(), sim_config(MarketMode::kShared, PaceMode::kNone, FillMode::kTick, "step"));
  d.logon(1);
  d.logon(2);
  d.logon(3, "SIM2");
  d.subscribe(1);
  d.release(1);
  d.send(1, single_order("A", dtc::OrderType::kMarket, dtc::BuySell::kBuy));
  d.poll();
  for (const net::ConnectionId id : {1, 2}) {
    SCOPED_TRACE(id);
    EXPECT_GE(find_update(d.messages(id), "A", dtc::OrderStatus::kFilled), 0);
    EXPECT_EQ(d.all<dtc::PositionUpdate>(id).back().quantity, 1);
  }
  EXPECT_EQ(find_update(d.messages(3), "A", dtc::OrderStatus::kFilled), -1);

  // Requests: only the requester hears back; SIM2 is its own, flat account.
  dtc::CurrentPositionsRequest positions;
  positions.request_id = 5;
  d.send(3, positions);
  dtc::TradeAccountsRequest accounts;
  accounts.request_id = 6;
  d.send(3, accounts);
  EXPECT_EQ(d.all<dtc::PositionUpdate>(3).at(0).no_positions, 1);
  EXPECT_EQ(d.all<dtc::TradeAccountResponse>(3).at(0).trade_account.view(), "SIM2");
  const auto before = d.messages(2).size();
  d.send(1, positions);
  EXPECT_EQ(d.messages(2).size(), before);
  // SIM2 may reuse a ClientOrderID of SIM1.
  d.send(3, single_order("A", dtc::OrderType::kMarket, dtc::BuySell::kSell));
  EXPECT_GE(find_update(d.messages(3), "A", dtc::OrderStatus::kFilled), 0);
  EXPECT_EQ(d.all<dtc::PositionUpdate>(3).back().quantity, -1);
}

// Over TCP: a client buys and goes away, and a new client of the same server sees the position.
TEST(SharedMarket, ANewClientSeesThePositionOfOneThatWentAwayOverLoopback) {
  const auto records = walk();
  sim::SimServer app(sim_config(MarketMode::kShared, PaceMode::kNone, FillMode::kTick, "step"), records);
  net::ServerOptions so;
  so.bind_address = "127.0.0.1";
  so.port = 0;
  net::Server server(so, app);
  app.attach(server);
  ASSERT_TRUE(server.start());
  {
    Recorder r;
    net::Client c(client_options(server.port()), r);
    c.subscribe(subscription(1));
    c.start();
    ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataSnapshot>() == 1; }));
    app.release(1);
    ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() == 1; }));
    c.send(single_order("B", dtc::OrderType::kMarket, dtc::BuySell::kBuy));
    ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::PositionUpdate>() == 1; }));
    c.stop();
  }
  Recorder r2;
  net::Client c2(client_options(server.port()), r2);
  c2.start();
  ASSERT_TRUE(r2.wait([&] { return r2.logons == 1; }));
  dtc::CurrentPositionsRequest positions;
  positions.request_id = 9;
  c2.send(positions);
  ASSERT_TRUE(r2.wait([&] { return r2.count_unlocked<dtc::PositionUpdate>() == 1; }));
  const auto p = r2.all<dtc::PositionUpdate>().at(0);
  EXPECT_EQ(p.request_id, 9);
  EXPECT_EQ(p.quantity, 1);
  EXPECT_EQ(p.average_price, 5000.25);
  c2.stop();
  server.stop();
}

}  // namespace
}  // namespace daytrader::testing
