#pragma once
// live.toml: how `daytrader live` connects, what it trades, which model decides and the limits
// that hold whatever the model says. Parsed once into plain structs with defaults, like the run
// config (config/toml_fields.h): unknown keys and bad values are errors citing the file, line,
// column and value; `--set section.key=value` overrides apply before validation.
//
//   [server]   host = "127.0.0.1", port = 11099, env_file = ".env", heartbeat_s = 10 ...
//   [market]   symbol = "ESZ25", exchange = "CME", source = "dtc", clock = "system" ...
//   [account]  trade_account = "", max_position = 1
//   [model]    folder = "models/es-5m", deterministic = true, seed = 1
//   [risk]     max_orders_per_day = 50, order_ack_timeout_s = 5.0, kill_file = "KILL" ...
//   [run]      dir = "runs/live-esz25", session_end_exit = true, max_runtime_s = 0
//
// The DTC credentials are never in this file: they come from DTC_USERNAME and DTC_PASSWORD in
// the environment or in server.env_file. A key whose name contains "password" or "username",
// anywhere in the file or in a --set, is refused without echoing its value.
//
// Durations: written in the file as seconds (`_s`, a number: 5 or 2.5) or milliseconds (`_ms`, a
// whole number), held as std::chrono durations (core::Nanoseconds, std::chrono::milliseconds);
// heartbeat_s stays a whole number of seconds, as DTC sends it. Paths are kept as written.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/timestamp.h"

namespace daytrader::config {

// Where trades come from: the DTC server's market data, or a Sierra Chart .scid file followed as
// it grows.
enum class DataSource : std::uint8_t { kDtc, kScid };
// What time it is: kSystem = the wall clock (real time); kFeed = the data's own time and the
// server's heartbeats (replays at any speed).
enum class ClockSource : std::uint8_t { kSystem, kFeed };

[[nodiscard]] std::string_view to_string(DataSource s) noexcept;   // "dtc", "scid"
[[nodiscard]] std::string_view to_string(ClockSource c) noexcept;  // "system", "feed"
[[nodiscard]] core::Result<DataSource> parse_data_source(std::string_view text);
[[nodiscard]] core::Result<ClockSource> parse_clock_source(std::string_view text);

struct ServerSettings {
  std::string host = "127.0.0.1";  // the DTC server (Sierra Chart, or `daytrader serve`); not empty
  std::uint16_t port = 11099;      // 1..65535
  // Where DTC_USERNAME / DTC_PASSWORD come from when they are not in the environment; relative
  // to the working directory; "" = the environment only.
  std::string env_file = ".env";
  std::int32_t heartbeat_s = 10;  // heartbeat interval asked for at logon, 1..300
  core::Nanoseconds connect_timeout = std::chrono::seconds(10);  // connect_timeout_s, > 0
  bool reconnect = true;  // reconnect (and reconcile) after a lost connection
  bool operator==(const ServerSettings&) const = default;
};

struct MarketSettings {
  std::string symbol;                    // required: the contract, "ESZ25"
  std::string exchange;                  // "" or the DTC exchange, "CME"
  DataSource source = DataSource::kDtc;  // source = "dtc" | "scid"
  std::string scid_path;                 // the chart file; required when source = "scid", refused otherwise
  std::chrono::milliseconds scid_poll{50};   // scid_poll_ms: how often the file is checked, 1..10000
  ClockSource clock = ClockSource::kSystem;  // clock = "system" | "feed"
  int warmup_sessions = 1;  // sessions loaded before the current one to warm bars and features, 0..5
  bool operator==(const MarketSettings&) const = default;
};

struct AccountSettings {
  std::string trade_account;      // "" = the first account the server lists
  std::int64_t max_position = 1;  // contracts, either side, 1..100
  bool operator==(const AccountSettings&) const = default;
};

struct ModelSettings {
  std::string folder;         // required: the model folder `daytrader train` wrote
  bool deterministic = true;  // argmax actions; false = sample them
  std::uint64_t seed = 1;     // the sampler's seed (deterministic = false), 0..2^63-1
  bool operator==(const ModelSettings&) const = default;
};

struct RiskSettings {
  std::int64_t max_orders_per_day = 50;                             // 1..10000
  std::int64_t max_trades_per_day = 20;                             // entries, 1..10000
  core::Nanoseconds order_ack_timeout = std::chrono::seconds(5);    // order_ack_timeout_s, > 0
  core::Nanoseconds bracket_ack_timeout = std::chrono::seconds(5);  // bracket_ack_timeout_s, > 0
  // stale_feed_s, > 0: no trade for this long inside the window -> flatten and pause entries.
  core::Nanoseconds stale_feed = std::chrono::seconds(120);
  core::Nanoseconds flatten_timeout = std::chrono::seconds(10);  // flatten_timeout_s, > 0
  std::string kill_file = "KILL";  // its existence flattens and stops; relative to run.dir unless
                                   // absolute (kill_file_path()); not empty
  bool flatten_on_exit = true;     // flatten when the engine stops (signal, max_runtime, kill)
  bool operator==(const RiskSettings&) const = default;
};

struct RunSettings {
  std::string dir;                   // required: the run folder for the journal and logs
  bool session_end_exit = true;      // stop after the day's end-of-window flatten
  core::Nanoseconds max_runtime{0};  // max_runtime_s, >= 0; 0 = unlimited
  bool operator==(const RunSettings&) const = default;
};

struct LiveConfig {
  ServerSettings server;
  MarketSettings market;
  AccountSettings account;
  ModelSettings model;
  RiskSettings risk;
  RunSettings run;
  bool operator==(const LiveConfig&) const = default;
};

// Reads `path` (empty: defaults only), applies `overrides` ("risk.max_trades_per_day=5"), validates.
[[nodiscard]] core::Result<LiveConfig> load_live_config(const std::string& path,
                                                        const std::vector<std::string>& overrides);
// Same from text; `source` names it in messages ("live.toml:7:1: unknown key risk.max_postion ...").
[[nodiscard]] core::Result<LiveConfig> parse_live_config(std::string_view text, const std::string& source,
                                                         const std::vector<std::string>& overrides);

// Every value in range (as a file would be checked) and the rules across fields: symbol,
// model.folder, run.dir and server.host are required; market.scid_path is required with
// source = "scid" and refused with "dtc"; risk.kill_file is not empty. Messages name the field.
[[nodiscard]] core::Status validate(const LiveConfig& config);

// The effective configuration as TOML, logged at start and saved in the run folder; it parses
// back to the same LiveConfig.
[[nodiscard]] std::string to_toml(const LiveConfig& config);

// risk.kill_file resolved: as written when absolute, otherwise inside run.dir.
[[nodiscard]] std::filesystem::path kill_file_path(const LiveConfig& config);

}  // namespace daytrader::config
