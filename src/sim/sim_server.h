#pragma once
// sim::SimServer: the DTC stand-in server behind `daytrader serve` (dtc.md §10), as a
// net::ServerApp. It includes no asio: net::Server runs it on its io thread.
//
// Each connection is its own market: a MARKET_DATA_REQUEST (subscribe) starts a replay of the
// SCID file from its first record on that connection's simulated clock (data time runs at the
// chosen speed from the moment of the subscription), and that connection's orders match
// against that replay (sim::Exchange), in stream order: a fill is sent right after the trade
// that caused it. Several clients at once each get the whole file. Accounts live as long as the
// connection (one account, "SIM1" by default).
//
// Historical requests are answered from the same file (sim::HistoricalJob), in batches that
// respect the connection's high-water mark, interleaved with its live stream.

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "net/server.h"
#include "scid/scid_format.h"
#include "sim/exchange.h"
#include "sim/replay.h"

namespace daytrader::sim {

struct SimServerConfig {
  ExchangeConfig exchange;  // symbol, account, instrument, commission
  ReplaySpeed speed;
  std::size_t high_water_bytes = 1 << 20;  // stop producing for a connection above this backlog
  std::size_t batch_records = 8192;        // records per poll and connection at most
};

struct SimStats {
  std::atomic<std::uint64_t> trades_sent{0};
  std::atomic<std::uint64_t> subscriptions{0};
  std::atomic<std::uint64_t> historical_requests{0};
  std::atomic<std::uint64_t> ignored_messages{0};
};

class SimServer : public net::ServerApp {
 public:
  // records must outlive the server (a scid::Reader's mapping, or a test's vector).
  SimServer(SimServerConfig config, std::span<const scid::Record> records);

  // Must be called before the server starts: where replies and pending byte counts come from.
  void attach(net::Server& server) { server_ = &server; }

  // Speed "step" only (tests): lets n more records of every replay through. Thread-safe.
  void release(std::size_t n);

  [[nodiscard]] const SimStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const SimServerConfig& config() const noexcept { return config_; }

  void on_logged_on(net::ConnectionId id, const dtc::LogonRequest& request, core::Timestamp now) override;
  void on_message(net::ConnectionId id, const dtc::Message& message, core::Timestamp now) override;
  void on_closed(net::ConnectionId id, const dtc::CloseInfo& info) override;
  void on_ignored(net::ConnectionId id, const dtc::Message& message) override;
  core::Timestamp on_poll(core::Timestamp now) override;

 private:
  struct Replay {
    std::uint32_t symbol_id = 0;
    std::size_t next = 0;
    core::Timestamp wall_start{};
    core::Timestamp data_start{};
    core::Timestamp data_now{};  // time of the last record sent
    StreamQuote quote;
    std::uint64_t released_seen = 0;
  };
  struct Connection {
    explicit Connection(const ExchangeConfig& c) : exchange(c) {}
    Exchange exchange;
    std::optional<Replay> replay;
    std::deque<HistoricalJob> jobs;
  };

  void subscribe(net::ConnectionId id, Connection& c, const dtc::MarketDataRequest& m, core::Timestamp now);
  // Streams what is due; returns when to be polled again for this connection.
  core::Timestamp pump(net::ConnectionId id, Connection& c, core::Timestamp now);
  void send(net::ConnectionId id, std::vector<std::uint8_t>& bytes);

  SimServerConfig config_;
  std::span<const scid::Record> records_;
  net::Server* server_ = nullptr;
  std::unordered_map<net::ConnectionId, Connection> connections_;
  std::vector<std::uint8_t> scratch_;
  std::atomic<std::uint64_t> released_{0};
  SimStats stats_;
};

}  // namespace daytrader::sim
