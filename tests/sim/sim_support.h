#pragma once
// Sans-I/O helpers for sim::SimServer: a Transport that keeps every connection's bytes, a
// harness that logs on, sends messages and heartbeats and polls on a fake clock, and builders
// for records and orders. No sockets, no threads, no sleeps.

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../net/loopback_support.h"
#include "dtc/decoder.h"
#include "sim/sim_server.h"

namespace daytrader::testing {

// 14:30:00Z, a multiple of 60 s, in Unix seconds.
inline constexpr std::int64_t kT0 = kStartUnixUs / 1'000'000;

// A trade at kT0 + offset_ms that printed at the bid (bid = price, ask = price + 0.25).
inline scid::Record trade_at(std::int64_t offset_ms, double price) {
  return tick(kStartUnixUs + offset_ms * 1000, static_cast<float>(price), 1, false);
}

struct FakeTransport : sim::Transport {
  std::map<net::ConnectionId, std::vector<std::uint8_t>> bytes;
  std::size_t wakes = 0;
  void send(net::ConnectionId id, std::span<const std::uint8_t> frames) override {
    auto& b = bytes[id];
    b.insert(b.end(), frames.begin(), frames.end());
  }
  [[nodiscard]] std::size_t pending_bytes(net::ConnectionId /*id*/) const override { return 0; }
  void wake() override { ++wakes; }
};

inline sim::SimServerConfig sim_config(sim::MarketMode market, sim::PaceMode pace, sim::FillMode fills,
                                       const char* speed = "max") {
  sim::SimServerConfig c;
  c.exchange.symbol = "ESZ25";
  c.exchange.exchange = "CME";
  c.speed = sim::ReplaySpeed::parse(speed).value();
  c.market = market;
  c.pace = pace;
  c.exchange.fills = fills;
  c.exchange.slippage_ticks = 1;
  c.pace_seconds = 60;
  return c;
}

struct SimDriver {
  SimDriver(std::vector<scid::Record> recs, const sim::SimServerConfig& config)
      : records(std::move(recs)), sim(config, records) {
    sim.attach(transport);
  }

  void logon(net::ConnectionId id, const std::string& account = "") {
    dtc::LogonRequest l;
    l.username = "tester";
    l.trade_account = account;
    l.heartbeat_interval_in_seconds = 10;
    sim.on_logged_on(id, l, now);
    poll();
  }
  void close(net::ConnectionId id) {
    sim.on_closed(id, dtc::CloseInfo{});
    poll();
  }
  void send(net::ConnectionId id, const dtc::Message& m) { sim.on_message(id, m, now); }
  void subscribe(net::ConnectionId id, std::uint32_t symbol_id = 1) {
    send(id, subscription(symbol_id));
    poll();
  }
  void ack(net::ConnectionId id, std::int64_t unix_s) {
    dtc::Heartbeat hb;
    hb.current_date_time = unix_s;
    sim.on_heartbeat(id, hb, now);
    poll();
  }
  // Polls until the server has nothing due now (bounded).
  void poll() {
    for (int k = 0; k < 1000; ++k)
      if (sim.on_poll(now) != now) return;
    ADD_FAILURE() << "the server kept asking to be polled";
  }
  void release(std::size_t n) {
    sim.release(n);
    poll();
  }

  // Everything connection id received so far, decoded.
  std::vector<dtc::Message>& messages(net::ConnectionId id) {
    auto& log = logs[id];
    auto& b = transport.bytes[id];
    if (b.size() > log.fed) {
      log.decoder.feed(std::span<const std::uint8_t>(b.data() + log.fed, b.size() - log.fed));
      log.fed = b.size();
      while (auto m = log.decoder.next()) {
        EXPECT_TRUE(*m) << m->error().message;
        if (*m) log.messages.push_back(m->value());
      }
    }
    return log.messages;
  }
  template <class M>
  std::vector<M> all(net::ConnectionId id) {
    std::vector<M> out;
    for (const auto& m : messages(id))
      if (const auto* x = std::get_if<M>(&m)) out.push_back(*x);
    return out;
  }
  template <class M>
  std::size_t count(net::ConnectionId id) {
    return all<M>(id).size();
  }

  struct Log {
    dtc::Decoder decoder;
    std::size_t fed = 0;
    std::vector<dtc::Message> messages;
  };
  std::vector<scid::Record> records;
  FakeTransport transport;
  sim::SimServer sim;
  std::map<net::ConnectionId, Log> logs;
  core::Timestamp now = core::from_unix_ns(1'800'000'000LL * 1'000'000'000LL);  // a fake wall clock
};

// Orders.
inline dtc::SubmitNewSingleOrder single_order(const std::string& cid, dtc::OrderType type, dtc::BuySell side,
                                              double price = 0, bool parent = false) {
  dtc::SubmitNewSingleOrder o;
  o.symbol = "ESZ25";
  o.exchange = "CME";
  o.client_order_id = cid;
  o.order_type = type;
  o.buy_sell = side;
  o.price1 = price;
  o.quantity = 1;
  o.time_in_force = dtc::TimeInForce::kDay;
  o.is_parent_order = parent ? 1 : 0;
  return o;
}

// The OCO of a bracket on a `entry` parent: target LIMIT + STOP on the closing side, either as
// offsets from the parent's fill (points) or at absolute prices.
inline dtc::SubmitNewOcoOrder bracket_oco(const std::string& parent, const std::string& target_id,
                                          const std::string& stop_id, dtc::BuySell entry, bool offsets,
                                          double target, double stop) {
  dtc::SubmitNewOcoOrder oco;
  oco.symbol = "ESZ25";
  oco.exchange = "CME";
  const dtc::BuySell exit = entry == dtc::BuySell::kBuy ? dtc::BuySell::kSell : dtc::BuySell::kBuy;
  oco.client_order_id_1 = target_id;
  oco.order_type_1 = dtc::OrderType::kLimit;
  oco.buy_sell_1 = exit;
  oco.quantity_1 = 1;
  oco.client_order_id_2 = stop_id;
  oco.order_type_2 = dtc::OrderType::kStop;
  oco.buy_sell_2 = exit;
  oco.quantity_2 = 1;
  if (offsets) {
    oco.use_offsets = 1;
    oco.offset_from_parent1 = target;
    oco.offset_from_parent2 = stop;
  } else {
    oco.price1_1 = target;
    oco.price1_2 = stop;
  }
  oco.time_in_force = dtc::TimeInForce::kDay;
  oco.parent_trigger_client_order_id = parent;
  oco.partial_fill_handling = dtc::PartialFillHandling::kReduceQuantity;
  return oco;
}

// The index in `msgs` of the first ORDER_UPDATE for client_id with this status, or -1.
inline int find_update(const std::vector<dtc::Message>& msgs, const std::string& client_id,
                       dtc::OrderStatus status) {
  for (std::size_t i = 0; i < msgs.size(); ++i)
    if (const auto* u = std::get_if<dtc::OrderUpdate>(&msgs[i]);
        u && u->client_order_id.view() == client_id && u->order_status == status)
      return static_cast<int>(i);
  return -1;
}

// The index of the first HEARTBEAT with this CurrentDateTime, or -1.
inline int find_heartbeat(const std::vector<dtc::Message>& msgs, std::int64_t unix_s) {
  for (std::size_t i = 0; i < msgs.size(); ++i)
    if (const auto* h = std::get_if<dtc::Heartbeat>(&msgs[i]); h && h->current_date_time == unix_s)
      return static_cast<int>(i);
  return -1;
}

// Prices of the MARKET_DATA_UPDATE_TRADEs in msgs.
inline std::vector<double> trade_prices(const std::vector<dtc::Message>& msgs) {
  std::vector<double> out;
  for (const auto& m : msgs)
    if (const auto* t = std::get_if<dtc::MarketDataUpdateTrade>(&m)) out.push_back(t->price);
  return out;
}

}  // namespace daytrader::testing
