#pragma once
// Loopback test helpers: a SCID fixture generated in the test, a simulator server on an
// ephemeral 127.0.0.1 port, and a client listener that records everything and lets the test
// wait on a condition with a timeout (no fixed sleeps).

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/instrument.h"
#include "dtc/message.h"
#include "net/client.h"
#include "net/server.h"
#include "scid/scid_format.h"
#include "scid/writer.h"
#include "sim/sim_server.h"

namespace daytrader::testing {

using namespace std::chrono_literals;

// 2025-03-03T14:30:00Z in SCID raw microseconds.
inline constexpr std::int64_t kStartUnixUs = 1'741'012'200'000'000;

// One tick record: a trade at `price` with the quote bid = price, ask = price + 0.25 when it
// printed at the bid, or bid = price - 0.25, ask = price at the ask.
inline scid::Record tick(std::int64_t unix_us, float price, std::uint32_t volume, bool at_ask) {
  scid::Record r;
  r.date_time = unix_us + scid::kEpochOffsetUs;
  r.open = 0;
  r.close = price;
  r.high = at_ask ? price : price + 0.25F;
  r.low = at_ask ? price - 0.25F : price;
  r.num_trades = 1;
  r.total_volume = volume;
  (at_ask ? r.ask_volume : r.bid_volume) = volume;
  return r;
}

// n records spaced step_us apart: mostly trades wandering around 5000, every 7th a quote-only
// record, and every 11th trade sharing its predecessor's timestamp (Sierra files have those).
inline std::vector<scid::Record> make_fixture(std::size_t n, std::int64_t step_us = 1000) {
  std::vector<scid::Record> out;
  std::int64_t t = kStartUnixUs;
  float price = 5000.0F;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 11 != 10) t += step_us;
    price += static_cast<float>(static_cast<int>((i * 7919) % 5) - 2) * 0.25F;
    scid::Record r = tick(t, price, 1 + static_cast<std::uint32_t>(i % 4), i % 3 == 0);
    if (i % 7 == 6) {  // a quote update without a trade
      r.close = 0;
      r.total_volume = r.bid_volume = r.ask_volume = 0;
    }
    out.push_back(r);
  }
  return out;
}

inline std::string temp_path(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("daytrader-net-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

inline void write_scid(const std::string& path, const std::vector<scid::Record>& records) {
  auto w = scid::Writer::open(path, scid::Writer::Mode::kTruncate);
  ASSERT_TRUE(w) << w.error().message;
  w->append(records);
  ASSERT_TRUE(w->close());
}

// What net::Server logged, for tests that check a close's reason.
struct LogLines {
  std::mutex mutex;
  std::vector<std::pair<net::LogLevel, std::string>> lines;
  void add(net::LogLevel level, const std::string& s) {
    std::lock_guard l(mutex);
    lines.emplace_back(level, s);
  }
  bool contains(const std::string& part) {
    std::lock_guard l(mutex);
    for (const auto& [level, s] : lines)
      if (s.find(part) != std::string::npos) return true;
    return false;
  }
  std::string all() {
    std::lock_guard l(mutex);
    std::string out;
    for (const auto& [level, s] : lines) out += s + "\n";
    return out;
  }
};

// A simulator on 127.0.0.1 (ephemeral port unless one is given). `tweak` changes the simulator's
// configuration (market data variants, zlib, tick records) before it starts.
struct SimHarness {
  SimHarness(const std::vector<scid::Record>& recs, sim::ReplaySpeed speed,
             std::optional<std::string> password = std::nullopt, std::uint16_t port = 0,
             const std::function<void(sim::SimServerConfig&)>& tweak = {})
      : records(recs),
        sim(make_config(speed, tweak), records),
        server(make_options(password, port, log), sim) {
    sim.attach(server);
    const auto s = server.start();
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
  }
  static sim::SimServerConfig make_config(sim::ReplaySpeed speed,
                                          const std::function<void(sim::SimServerConfig&)>& tweak = {}) {
    sim::SimServerConfig c;
    c.exchange.symbol = "ESZ25";
    c.exchange.exchange = "CME";
    c.speed = speed;
    if (tweak) tweak(c);
    return c;
  }
  static net::ServerOptions make_options(const std::optional<std::string>& password, std::uint16_t port,
                                         LogLines& log) {
    net::ServerOptions o;
    o.bind_address = "127.0.0.1";
    o.port = port;
    o.session.password = password;
    o.log = [&log](net::LogLevel level, const std::string& s) { log.add(level, s); };
    return o;
  }
  std::vector<scid::Record> records;
  LogLines log;  // before the server, which logs into it until it stops
  sim::SimServer sim;
  net::Server server;
};

struct Recorder : net::ClientListener {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<dtc::Message> messages;
  std::vector<std::pair<dtc::CloseInfo, bool>> disconnects;
  std::vector<std::string> send_errors;
  int logons = 0;

  void on_logged_on(const dtc::LogonResponse&) override {
    std::lock_guard l(mutex);
    ++logons;
    cv.notify_all();
  }
  void on_message(const dtc::Message& m) override {
    std::lock_guard l(mutex);
    messages.push_back(m);
    cv.notify_all();
  }
  void on_disconnected(const dtc::CloseInfo& info, bool again, core::Nanoseconds) override {
    std::lock_guard l(mutex);
    disconnects.emplace_back(info, again);
    cv.notify_all();
  }
  void on_send_error(const std::string& e) override {
    std::lock_guard l(mutex);
    send_errors.push_back(e);
    cv.notify_all();
  }
  // Waits (bounded) until pred() holds; pred runs under the lock.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock l(mutex);
    return cv.wait_for(l, timeout, pred);
  }
  template <class M>
  std::vector<M> all() {
    std::lock_guard l(mutex);
    std::vector<M> out;
    for (const auto& m : messages)
      if (const auto* x = std::get_if<M>(&m)) out.push_back(*x);
    return out;
  }
  template <class M>
  std::size_t count_unlocked() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += std::holds_alternative<M>(m) ? 1 : 0;
    return n;
  }
};

inline net::ClientOptions client_options(std::uint16_t port, std::string password = "") {
  net::ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.session.password = std::move(password);
  o.session.username = "tester";
  o.session.heartbeat_interval_s = 10;
  o.initial_backoff = 20ms;
  o.max_backoff = 200ms;
  o.connect_timeout = 2s;
  return o;
}

inline dtc::MarketDataRequest subscription(std::uint32_t symbol_id = 1) {
  dtc::MarketDataRequest r;
  r.request_action = dtc::RequestAction::kSubscribe;
  r.symbol_id = symbol_id;
  r.symbol = "ESZ25";
  r.exchange = "CME";
  return r;
}

}  // namespace daytrader::testing
