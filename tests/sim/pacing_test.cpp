// Client pacing (SimServerConfig::pace = kClient): the replay stops at every pace_seconds
// boundary of data time with a HEARTBEAT carrying the boundary and waits for every subscriber's
// acknowledgement. Sans-I/O, then once over 127.0.0.1 through ServerSession's heartbeat hook.

#include <gtest/gtest.h>

#include "sim_support.h"

namespace daytrader::testing {
namespace {

using sim::FillMode;
using sim::MarketMode;
using sim::PaceMode;

// Two trades in each of the minutes 14:30, 14:31, 14:32.
std::vector<scid::Record> three_minutes() {
  return {trade_at(10'000, 5000.00), trade_at(50'000, 5000.25),  trade_at(65'000, 5000.50),
          trade_at(90'000, 5000.75), trade_at(130'000, 5001.00), trade_at(170'000, 5001.25)};
}

TEST(ClientPacing, HoldsAtEachBoundaryUntilTheAckAndIgnoresEarlierAndWallClockTimes) {
  SimDriver d(three_minutes(), sim_config(MarketMode::kPerConnection, PaceMode::kClient, FillMode::kTick));
  d.logon(1);
  d.subscribe(1);
  const std::int64_t b1 = kT0 + 60, b2 = kT0 + 120, b3 = kT0 + 180;

  // Up to the first boundary: the minute's two trades, then the pacing heartbeat, then nothing.
  EXPECT_EQ(trade_prices(d.messages(1)), (std::vector<double>{5000.00, 5000.25}));
  ASSERT_TRUE(std::holds_alternative<dtc::Heartbeat>(d.messages(1).back()));
  EXPECT_EQ(std::get<dtc::Heartbeat>(d.messages(1).back()).current_date_time, b1);
  d.poll();
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 2u);

  // Acks that do not release: an earlier time, the boundary before, and a wall-clock heartbeat.
  d.ack(1, b1 - 1);
  d.ack(1, kT0);
  d.ack(1, 1'800'000'000);
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 2u);
  EXPECT_EQ(d.count<dtc::Heartbeat>(1), 1u);

  // The ack of b1 lets the next minute through, up to the next boundary.
  d.ack(1, b1);
  EXPECT_EQ(trade_prices(d.messages(1)), (std::vector<double>{5000.00, 5000.25, 5000.50, 5000.75}));
  EXPECT_EQ(std::get<dtc::Heartbeat>(d.messages(1).back()).current_date_time, b2);
  d.ack(1, b1);  // the old ack again: still held
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 4u);

  // A time inside [b2, b2 + 60) counts; at the end of the data the last bar closes with b3,
  // which needs no ack.
  d.ack(1, b2 + 30);
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 6u);
  EXPECT_EQ(std::get<dtc::Heartbeat>(d.messages(1).back()).current_date_time, b3);
  EXPECT_EQ(d.sim.stats().pacing_holds.load(), 2u);
  EXPECT_EQ(d.sim.stats().bar_closes.load(), 3u);
}

TEST(ClientPacing, ASharedMarketWaitsForEverySubscriberAndForAClientThatReconnects) {
  SimDriver d(three_minutes(), sim_config(MarketMode::kShared, PaceMode::kClient, FillMode::kTick));
  const std::int64_t b1 = kT0 + 60, b2 = kT0 + 120;
  d.logon(1);
  d.logon(2);
  d.subscribe(1);
  d.subscribe(2);
  // 1 subscribed first and got the first minute's trades and the heartbeat; 2 joined during the
  // hold: its snapshot and the pending heartbeat, no trades. The market waits for both.
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 2u);
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(2), 0u);
  EXPECT_EQ(find_heartbeat(d.messages(2), b1), 1);
  EXPECT_EQ(d.sim.stats().held_at_unix_s.load(), b1);
  d.ack(1, b1);
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 2u);  // 2 has not acted yet
  d.ack(2, b1);
  EXPECT_EQ(trade_prices(d.messages(1)), (std::vector<double>{5000.00, 5000.25, 5000.50, 5000.75}));
  EXPECT_EQ(trade_prices(d.messages(2)), (std::vector<double>{5000.50, 5000.75}));

  // Both leave (a crash): the market waits at b2 with nobody subscribed.
  d.close(1);
  d.close(2);
  d.poll();
  EXPECT_EQ(d.sim.stats().held_at_unix_s.load(), b2);
  // A reconnecting client is sent the pending heartbeat after its snapshot and resumes it.
  d.logon(3);
  d.subscribe(3);
  ASSERT_EQ(d.messages(3).size(), 2u);
  EXPECT_TRUE(std::holds_alternative<dtc::MarketDataSnapshot>(d.messages(3)[0]));
  EXPECT_EQ(std::get<dtc::Heartbeat>(d.messages(3)[1]).current_date_time, b2);
  d.ack(3, b2);
  EXPECT_EQ(trade_prices(d.messages(3)), (std::vector<double>{5001.00, 5001.25}));
}

TEST(ClientPacing, OnlyTheNextRecordsBoundaryIsHeldAcrossAGapInTheData) {
  // 14:30:10, then 14:35:20: one boundary, 14:35:00.
  SimDriver d({trade_at(10'000, 5000.00), trade_at(320'000, 5000.25)},
              sim_config(MarketMode::kPerConnection, PaceMode::kClient, FillMode::kTick));
  d.logon(1);
  d.subscribe(1);
  EXPECT_EQ(d.count<dtc::Heartbeat>(1), 1u);
  EXPECT_EQ(std::get<dtc::Heartbeat>(d.messages(1).back()).current_date_time, kT0 + 300);
  d.ack(1, kT0 + 300);
  EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(1), 2u);
}

TEST(ClientPacing, RefusesAClockDrivenSpeedAndBadValues) {
  struct Row {
    const char* speed;
    std::int64_t pace_seconds;
    std::int64_t slippage;
    const char* error;  // empty: valid
  };
  for (const Row& row : {
           Row{"max", 60, 1, ""},
           Row{"step", 1, 0, ""},
           Row{"realtime", 60, 1,
               "--pace client needs --speed max (the replay waits for its client; a clock-driven speed "
               "cannot), was --speed realtime"},
           Row{"max", 0, 1, "--pace-seconds 0 is not a whole number of seconds in 1..86400"},
           Row{"max", 60, -1, "--slippage-ticks -1 is not a whole number of ticks in 0..1000"},
       }) {
    SCOPED_TRACE(::testing::Message() << row.speed << " " << row.pace_seconds << " " << row.slippage);
    auto c = sim_config(MarketMode::kShared, PaceMode::kClient, FillMode::kBar, row.speed);
    c.pace_seconds = row.pace_seconds;
    c.exchange.slippage_ticks = row.slippage;
    const auto s = sim::validate(c);
    EXPECT_EQ(static_cast<bool>(s), row.error[0] == '\0');
    if (!s) {
      EXPECT_EQ(s.error().message, row.error);
    }
  }
  EXPECT_EQ(sim::parse_market_mode("both").error().message,
            "--market \"both\" is not per-connection or shared");
  EXPECT_EQ(sim::parse_pace_mode("server").error().message, "--pace \"server\" is not none or client");
  EXPECT_EQ(sim::parse_fill_mode("candle").error().message, "--fills \"candle\" is not tick or bar");
  EXPECT_EQ(sim::parse_market_mode("shared").value(), MarketMode::kShared);
  EXPECT_EQ(sim::parse_pace_mode("client").value(), PaceMode::kClient);
  EXPECT_EQ(sim::parse_fill_mode("bar").value(), FillMode::kBar);
}

// Over TCP: the client's HEARTBEAT reaches the app through ServerSession and net::Server.
TEST(ClientPacing, AcksTravelThroughTheServerSessionOverLoopback) {
  const auto records = three_minutes();
  sim::SimServer app(sim_config(MarketMode::kShared, PaceMode::kClient, FillMode::kTick), records);
  net::ServerOptions so;
  so.bind_address = "127.0.0.1";
  so.port = 0;
  net::Server server(so, app);
  app.attach(server);
  ASSERT_TRUE(server.start());
  Recorder r;
  net::Client c(client_options(server.port()), r);
  c.subscribe(subscription(1));
  c.start();
  // The hold is set in the same poll that writes the minute's trades, so once they are here the
  // server is waiting at 14:31:00, and only the ack can bring the next two.
  ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() == 2; }));
  EXPECT_EQ(app.stats().held_at_unix_s.load(), kT0 + 60);
  dtc::Heartbeat ack;
  ack.current_date_time = kT0 + 60;
  c.send(ack);
  ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() == 4; }));
  EXPECT_EQ(app.stats().held_at_unix_s.load(), kT0 + 120);
  c.stop();
  server.stop();
}

}  // namespace
}  // namespace daytrader::testing
