#pragma once
// live::Runner: runs a live::Engine against a DTC server (Sierra Chart, or our `serve`) with a
// SQLite journal. One thread drives the engine; the DTC client's io thread only queues events.
//
// Start-up:
//   1. the journal of the run folder: a day already in it (a restart) restores the ledger, the
//      counters, the lockouts, the kill and a halt (Engine::restore);
//   2. connect and log on (credentials from the environment or .env), pick the trade account;
//   3. market data: subscribe first (DTC source), then ask for the history from the previous
//      session's open, so every bar study and feature is warm at the first live bar; stream
//      trades that arrive before the history's header are in the history, those after it are
//      kept and replayed after it (`serve` guarantees that boundary). A SCID source follows the
//      chart file instead (scid::Follower): the records already there warm up, new ones are live;
//   4. reconcile with the server: open orders, the position and the fills since the day's start
//      against the journal (no duplicated order, no lost or invented fill); what cannot be
//      resolved halts, flat, with the reason;
//   5. live: bars close on the exchange clock, the engine decides, every order intent is
//      committed to the journal before it is sent.
// Clock: kSystem = the wall clock (Sierra Chart in real time); kFeed = the data's own time and the
// server's heartbeats (a replay at any speed; with `serve --pace client` the runner acknowledges
// each of the server's clock marks once its orders are out, so the replay waits for it).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/instrument.h"
#include "live/engine.h"

namespace daytrader::live {

enum class DataSource : std::uint8_t { kDtc, kScid };
enum class ClockSource : std::uint8_t { kSystem, kFeed };

struct RunnerConfig {
  // Server.
  std::string host = "127.0.0.1";
  std::uint16_t port = 11099;
  std::string env_file = ".env";
  std::int32_t heartbeat_s = 10;
  core::Nanoseconds connect_timeout = std::chrono::seconds(10);
  bool reconnect = true;
  // Market.
  std::string symbol;
  std::string exchange;
  DataSource source = DataSource::kDtc;
  std::string scid_path;
  std::chrono::milliseconds scid_poll{50};
  ClockSource clock = ClockSource::kSystem;
  int warmup_sessions = 1;  // previous sessions loaded besides the current one
  // Account.
  std::string trade_account;  // empty: the first the server lists
  // Model.
  std::filesystem::path model_dir;
  bool deterministic = true;
  std::uint64_t seed = 1;
  // Risk and timeouts.
  LiveLimits limits;
  core::Nanoseconds flatten_timeout = std::chrono::seconds(10);
  std::string kill_file = "KILL";
  bool flatten_on_exit = true;
  // Run.
  std::filesystem::path run_dir;
  bool session_end_exit = true;
  core::Nanoseconds max_runtime{0};  // 0 = unlimited
  bool print_status = true;          // the one-line status per bar on stdout
  // Tests: checked after every turn of the loop; true simulates a crash (kill -9) right there.
  std::function<bool(const Engine&)> crash_when;
};

// What a run did, for the summary and the tests.
struct RunSummary {
  std::int32_t trade_date = 0;
  std::vector<exec::ClosedTrade> trades;
  core::Cents net_cents = 0;
  std::size_t bars = 0;
  std::size_t decisions = 0;
  std::int64_t orders_sent = 0;
  bool killed = false;
  bool halted = false;
  std::string halt_reason;
  std::string stop_reason;
  std::vector<std::string> faults;
};

class Runner {
 public:
  explicit Runner(RunnerConfig config);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs until the day is done (session_end_exit), stop(), the kill switch or max_runtime.
  // Throws core::DaytraderError when it cannot start (bad model, no connection, no account...).
  RunSummary run();
  // Asks run() to stop (thread-safe, async-signal-safe): flatten (flatten_on_exit) and return.
  void stop() noexcept { stop_requested_.store(true); }
  // Tests: simulates a crash at the next loop turn: run() returns at once, sending nothing more
  // and closing nothing cleanly (the journal's committed rows stay, as after kill -9).
  void crash() noexcept { crash_requested_.store(true); }

  // The engine, once run() has built it (tests read its bars, rows and decisions after run()).
  [[nodiscard]] const Engine* engine() const noexcept { return engine_.get(); }

 private:
  struct Impl;
  RunnerConfig config_;
  std::unique_ptr<Engine> engine_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> crash_requested_{false};
};

}  // namespace daytrader::live
