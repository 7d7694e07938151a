// daytrader live: trades a trained model through a DTC server (Sierra Chart, or `serve` for
// paper trading) with the journal, the risk limits and recovery of live/runner.h; at the end the
// session's trades and P&L, next to the backtest of the same session when --backtest-data is given.

#include <csignal>
#include <fstream>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
#include "config/live_config.h"
#include "core/instrument_table.h"
#include "dataset/dataset.h"
#include "live/parity.h"
#include "live/runner.h"
#include "model/model_bundle.h"

namespace daytrader::cli {

namespace {

live::Runner* g_runner = nullptr;
extern "C" void on_live_signal(int /*signal*/) {
  if (g_runner != nullptr) g_runner->stop();
}

live::RunnerConfig runner_config(const config::LiveConfig& l) {
  live::RunnerConfig r;
  r.host = l.server.host;
  r.port = l.server.port;
  r.env_file = l.server.env_file;
  r.heartbeat_s = l.server.heartbeat_s;
  r.connect_timeout = l.server.connect_timeout;
  r.reconnect = l.server.reconnect;
  r.symbol = l.market.symbol;
  r.exchange = l.market.exchange;
  r.source = l.market.source == config::DataSource::kScid ? live::DataSource::kScid : live::DataSource::kDtc;
  r.scid_path = l.market.scid_path;
  r.scid_poll = l.market.scid_poll;
  r.clock = l.market.clock == config::ClockSource::kFeed ? live::ClockSource::kFeed : live::ClockSource::kSystem;
  r.warmup_sessions = l.market.warmup_sessions;
  r.trade_account = l.account.trade_account;
  r.limits.max_position = l.account.max_position;
  r.model_dir = l.model.folder;
  r.deterministic = l.model.deterministic;
  r.seed = l.model.seed;
  r.limits.max_orders_per_day = l.risk.max_orders_per_day;
  r.limits.max_trades_per_day = l.risk.max_trades_per_day;
  r.limits.order_ack_timeout = l.risk.order_ack_timeout;
  r.limits.bracket_ack_timeout = l.risk.bracket_ack_timeout;
  r.limits.stale_feed = l.risk.stale_feed;
  r.flatten_timeout = l.risk.flatten_timeout;
  r.kill_file = config::kill_file_path(l).string();
  r.flatten_on_exit = l.risk.flatten_on_exit;
  r.run_dir = l.run.dir;
  r.session_end_exit = l.run.session_end_exit;
  r.max_runtime = l.run.max_runtime;
  return r;
}

}  // namespace

void add_live(CLI::App& app) {
  struct Opts {
    std::string config;
    std::vector<std::string> sets;
    std::string backtest_data;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("live", "Trade a trained model through a DTC server (Sierra Chart or serve)");
  cmd->add_option("--config", o->config, "live.toml (see configs/live.example.toml)")->required();
  cmd->add_option("--set", o->sets, "Override a setting: section.key=value (repeatable)");
  cmd->add_option("--backtest-data", o->backtest_data,
                  "Dataset of the same data: print the backtest of the traded session next to the live trades");
  cmd->callback([o] {
    const auto cfg = must(config::load_live_config(o->config, o->sets));
    const std::string effective = config::to_toml(cfg);
    spdlog::info("Effective live configuration:\n{}", effective);
    std::filesystem::create_directories(cfg.run.dir);
    {
      const auto path = std::filesystem::path(cfg.run.dir) / "live.toml";
      const auto tmp = path.string() + ".tmp";
      std::ofstream(tmp) << effective;
      std::filesystem::rename(tmp, path);
    }
    live::Runner runner(runner_config(cfg));
    g_runner = &runner;
    std::signal(SIGINT, on_live_signal);
    std::signal(SIGTERM, on_live_signal);
    const auto summary = runner.run();
    g_runner = nullptr;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    const auto bundle = model::load_model_bundle(cfg.model.folder);
    const auto& cal = core::session_calendar_of(bundle.instrument);
    fmt::print("\nLive session {}: {} bars, {} decisions, {} orders, stopped: {}\n",
               summary.trade_date == 0 ? std::string("-") : core::format_trade_date(summary.trade_date), summary.bars,
               summary.decisions, summary.orders_sent, summary.stop_reason);
    for (const auto& f : summary.faults) fmt::print("  fault: {}\n", f);
    std::vector<exec::ClosedTrade> bt;
    if (!o->backtest_data.empty() && summary.trade_date != 0) {
      const auto data = must(dataset::Dataset::open(o->backtest_data));
      rl::Policy policy = bundle.load_policy(cfg.model.seed);
      bt = live::backtest_trades(bundle, policy, data, summary.trade_date, cfg.model.deterministic);
      const auto cmp = live::compare_trades(summary.trades, bt, bundle.instrument, cal);
      fmt::print("{}", cmp.table);
      fmt::print("Live vs backtest of {}: {} of {} trades identical{}\n", core::format_trade_date(summary.trade_date),
                 cmp.matching, std::max(summary.trades.size(), bt.size()),
                 cmp.identical() ? "" : " (differences marked *)");
    } else {
      const auto cmp = live::compare_trades(summary.trades, {}, bundle.instrument, cal);
      fmt::print("{}", cmp.table);
    }
    fmt::print("Journal   {}  (daytrader journal {})\n", (std::filesystem::path(cfg.run.dir) / "journal.sqlite").string(),
               cfg.run.dir);
    if (summary.halted) fail("live: halted: {}", summary.halt_reason);
  });
}

}  // namespace daytrader::cli
