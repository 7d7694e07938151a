// daytrader serve: the DTC stand-in server. Replays a SCID file as live market data, answers
// historical requests from it (never beyond the replay's clock), and simulates orders, positions
// and accounts (sim/): per connection or as one shared market, optionally paced by its client and
// filling like the backtest (--fills bar).

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
#include "core/instrument_table.h"
#include "core/session_calendar.h"
#include "core/timestamp.h"
#include "net/credentials.h"
#include "net/server.h"
#include "scid/reader.h"
#include "sim/sim_server.h"

namespace daytrader::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int /*signal*/) {
  g_stop = true;
}

struct ServeOptions {
  std::string data;
  std::string speed = "realtime";
  std::uint16_t port = 11099;
  std::string bind = "127.0.0.1";
  bool password_env = false;
  std::string env_file = ".env";
  std::string symbol;  // default: the file name without .scid
  std::string instrument;  // --instrument: a root or a symbol; "" = from the file name, else ES
  std::string exchange;
  std::string account = "SIM1";
  std::string market = "per-connection";
  std::string pace = "none";
  std::int64_t pace_seconds = 60;
  std::string fills = "tick";
  std::int64_t slippage_ticks = 1;
  std::string fill_rule = "through";
  std::string start_at;  // exchange time "YYYY-MM-DD HH:MM"; empty = the file's first record
  std::string market_data = "standard";
  bool zlib_history = false;
  std::string tick_records = "803";
  std::size_t max_pending_mb = 64;
  std::int64_t idle_seconds = 300;
};

void run_serve(const ServeOptions& o) {
  auto reader = must(scid::Reader::open(o.data));
  for (const auto& w : reader.warnings()) spdlog::warn("{}", w);
  const auto speed = must(sim::ReplaySpeed::parse(o.speed));

  sim::SimServerConfig config;
  config.exchange.symbol = o.symbol.empty() ? std::filesystem::path(o.data).stem().string() : o.symbol;
  // Prices, tick grid and P&L follow the instrument (MES ticks are worth $1.25, not ES's $12.50).
  const InstrumentChoice inst = choose_instrument(o.instrument, o.data, InputKind::kScid);
  config.exchange.instrument = inst.instrument;
  config.exchange.account.tick_value_cents = inst.instrument.tick_value_cents;
  config.exchange.exchange = o.exchange;
  config.exchange.trade_account = o.account;
  config.speed = speed;
  config.market = must(sim::parse_market_mode(o.market));
  config.pace = must(sim::parse_pace_mode(o.pace));
  config.pace_seconds = o.pace_seconds;
  config.market_data = must(sim::parse_market_data_format(o.market_data));
  config.zlib_history = o.zlib_history;
  config.tick_records = must(sim::parse_tick_record_format(o.tick_records));
  config.exchange.fills = must(sim::parse_fill_mode(o.fills));
  config.exchange.slippage_ticks = o.slippage_ticks;
  if (auto rule = exec::parse_limit_fill_rule(o.fill_rule))
    config.exchange.fill_rule = *rule;
  else
    fail("--fill-rule: {}", rule.error().message);
  if (!o.start_at.empty())
    config.start_at = parse_exchange_time(o.start_at, "--start-at", core::session_calendar_of(inst.instrument));
  must(sim::validate(config));

  net::ServerOptions so;
  so.bind_address = o.bind;
  so.port = o.port;
  so.max_pending_bytes = o.max_pending_mb << 20;
  so.idle_timeout = std::chrono::seconds(o.idle_seconds);
  so.log = [](net::LogLevel level, const std::string& text) {
    if (level == net::LogLevel::kWarning) {
      spdlog::warn("{}", text);
    } else {
      spdlog::info("{}", text);
    }
  };
  if (o.password_env) {
    const auto credentials = must(net::load_credentials(o.env_file));
    if (!credentials.has_password())
      fail("--password-env: DTC_PASSWORD is set neither in the environment nor in {}", o.env_file);
    // LOGON_REQUEST.Password is a char[32] (at most 31 bytes): a longer one can never match.
    if (auto fits = net::check_logon_limits(credentials); !fits)
      fail("--password-env: {}; no client could ever log on", fits.error().message);
    so.session.password = credentials.password;
    if (!credentials.username.empty()) so.session.username = credentials.username;
    spdlog::info("Logon requires credentials {}", net::describe(credentials));
  }
  if (o.bind != "127.0.0.1" && o.bind != "::1" && o.bind != "localhost")
    spdlog::warn(
        "Listening on a non-loopback address bind={}: anyone who can reach it can trade the simulator{}",
        o.bind, o.password_env ? "" : " (no password: consider --password-env)");

  sim::SimServer app(config, reader.records());  // throws when --start-at is after the data
  net::Server server(so, app);
  app.attach(server);
  must(server.start());
  spdlog::info("Instrument {} (from {})", core::describe(inst.instrument), inst.origin);
  spdlog::info("Serving symbol={} records={} speed={} on {}:{} file={}", config.exchange.symbol,
               thousands(reader.size()), speed.to_string(), o.bind, server.port(), o.data);
  spdlog::info("Mode market={} pace={} pace_seconds={} fills={} slippage_ticks={} fill_rule={} account={}",
               sim::to_string(config.market), sim::to_string(config.pace), config.pace_seconds,
               sim::to_string(config.exchange.fills), config.exchange.slippage_ticks,
               exec::to_string(config.exchange.fill_rule), config.exchange.trade_account);
  spdlog::info("Encodings binary, json and json-compact (ENCODING_REQUEST, or a JSON LOGON_REQUEST); "
               "market_data={} tick_records={} zlib_history={} (binary sessions only)",
               sim::to_string(config.market_data), sim::to_string(config.tick_records), config.zlib_history);
  if (!o.start_at.empty())
    spdlog::info("Replays start at start_at=\"{}\" exchange time ({}); earlier records count as history",
                 o.start_at, core::format_utc(config.start_at));
  if (config.pace == sim::PaceMode::kNone && config.exchange.fills == sim::FillMode::kBar)
    spdlog::info("Bar fills without pacing: bars close every {} s of data time, without waiting for clients",
                 config.pace_seconds);
  const bool shared = config.market == sim::MarketMode::kShared;

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto last_report = std::chrono::steady_clock::now();
  std::uint64_t last_accepted = 0;
  while (!g_stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (server.connections_accepted() != last_accepted ||
        std::chrono::steady_clock::now() - last_report > std::chrono::seconds(30)) {
      last_accepted = server.connections_accepted();
      last_report = std::chrono::steady_clock::now();
      spdlog::info("Status connections={} accepted={} trades_sent={} historical_requests={}",
                   server.connection_count(), last_accepted, thousands(app.stats().trades_sent.load()),
                   app.stats().historical_requests.load());
      if (shared) {
        const std::int64_t clock = app.stats().clock_unix_s.load();
        const std::int64_t held = app.stats().held_at_unix_s.load();
        spdlog::info(
            "Market clock={} held_at={} bar_closes={} pacing_holds={}",
            clock == 0 ? std::string("not started")
                       : core::format_utc(core::from_unix_ns(clock * 1'000'000'000)),
            held == 0 ? std::string("-") : core::format_utc(core::from_unix_ns(held * 1'000'000'000)),
            app.stats().bar_closes.load(), app.stats().pacing_holds.load());
      }
    }
  }
  spdlog::info("Stopping: sending LOGOFF to connections={}", server.connection_count());
  server.shutdown("server shutting down");
}

}  // namespace

void add_serve(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve", "Run the DTC stand-in server: replay a SCID file, serve history, simulate orders");
  cmd->add_option("--data", o->data, "SCID file to replay and serve")->required()->check(CLI::ExistingFile);
  cmd->add_option("--speed", o->speed, "Replay speed: realtime, a multiple like 10x, or max")
      ->capture_default_str();
  cmd->add_option("--port", o->port, "TCP port (0 = any free port)")->capture_default_str();
  cmd->add_option("--bind", o->bind, "Address to listen on")->capture_default_str();
  cmd->add_flag(
      "--password-env", o->password_env,
      "Require the password in DTC_PASSWORD (and DTC_USERNAME if set), from the environment or .env");
  cmd->add_option("--env-file", o->env_file, "KEY=VALUE file read by --password-env")->capture_default_str();
  cmd->add_option("--symbol", o->symbol, "Symbol clients subscribe to (default: the file name, e.g. ESZ25)");
  cmd->add_option("--instrument", o->instrument,
                  "Instrument of the file: a root (MES) or a Sierra symbol (MESM24-CME); default: from the file name, "
                  "else ES");
  cmd->add_option("--exchange", o->exchange, "Exchange echoed in order and position updates");
  cmd->add_option("--account", o->account,
                  "Trade account of every connection (shared market: the default for a logon without one)")
      ->capture_default_str();
  cmd->add_option("--market", o->market,
                  "per-connection (each connection replays the file and has its own account) or shared (one "
                  "replay clock and persistent accounts for the whole server)")
      ->capture_default_str();
  cmd->add_option(
         "--pace", o->pace,
         "none, or client: stop at every --pace-seconds boundary of data time, send a HEARTBEAT with "
         "the boundary and wait for every subscriber to send it back (needs --speed max)")
      ->capture_default_str();
  cmd->add_option("--pace-seconds", o->pace_seconds,
                  "Pacing interval and bar of --fills bar, seconds (1..86400)")
      ->capture_default_str();
  cmd->add_option("--fills", o->fills,
                  "tick (fills tick by tick at the touch) or bar (the backtest's rules: market at the next "
                  "trade with slippage, brackets and resting orders checked on each bar)")
      ->capture_default_str();
  cmd->add_option("--slippage-ticks", o->slippage_ticks,
                  "--fills bar: adverse ticks on market and stop fills")
      ->capture_default_str();
  cmd->add_option("--fill-rule", o->fill_rule,
                  "--fills bar: through (a limit fills when the bar trades a tick beyond it, the backtest's "
                  "default) or touch (when the bar reaches it)")
      ->capture_default_str();
  cmd->add_option("--market-data", o->market_data,
                  "Trade/quote messages of the stream: standard (107/108), compact (112/117), no-timestamp "
                  "(142/143) or float-us (146/144); a test option for client decoders (dtc.md 5.9)")
      ->capture_default_str();
  cmd->add_flag(
      "--zlib-history", o->zlib_history,
      "Compress historical answers that ask for it (UseZLibCompression), on binary connections "
      "logged on with heartbeat 0 that never subscribed (dtc.md 6.7); JSON sessions get them plain");
  cmd->add_option(
         "--tick-records", o->tick_records,
         "Records of tick history answers: 803 (Sierra-style single-trade records with bid/ask) or 804 "
         "(HISTORICAL_PRICE_DATA_TICK_RECORD_RESPONSE; dtc.md 6.10)")
      ->capture_default_str();
  cmd->add_option("--max-pending-mb", o->max_pending_mb,
                  "Close a connection whose unread output exceeds this many MiB (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--idle-seconds", o->idle_seconds,
                  "Close a connection that neither sends nor receives for this long (0 = never)")
      ->capture_default_str();
  cmd->add_option("--start-at", o->start_at,
                  "Start every replay at this exchange time (YYYY-MM-DD HH:MM, America/Chicago); the records "
                  "before it are served as history only");
  cmd->callback([o] { run_serve(*o); });
}

}  // namespace daytrader::cli
