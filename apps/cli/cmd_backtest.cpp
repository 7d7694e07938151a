// daytrader backtest: a trained model on a dataset next to the always-flat, random-action,
// buy-and-hold and order-flow baselines, with a trades CSV, an equity CSV and an HTML report.

#include <filesystem>
#include <fstream>
#include <optional>

#include <spdlog/spdlog.h>

#include "backtest/evaluate.h"
#include "commands.h"
#include "common.h"
#include "core/instrument_table.h"
#include "dataset/dataset.h"
#include "model/model_bundle.h"
#include "rl/checkpoint.h"

namespace daytrader::cli {

namespace {

// Sessions whose trade dates fall in [from, to] (inclusive; empty = open).
std::pair<std::size_t, std::size_t> session_range(const dataset::Dataset& d, const std::string& from, const std::string& to) {
  const std::int32_t lo = from.empty() ? INT32_MIN : parse_trade_date(from, "--from");
  const std::int32_t hi = to.empty() ? INT32_MAX : parse_trade_date(to, "--to");
  std::size_t begin = d.sessions().size(), end = 0;
  for (std::size_t i = 0; i < d.sessions().size(); ++i) {
    const auto td = d.sessions()[i].trade_date;
    if (td < lo || td > hi) continue;
    begin = std::min(begin, i);
    end = i + 1;
  }
  if (begin >= end) fail("{}: no session between {} and {}", d.path(), from.empty() ? "the start" : from, to.empty() ? "the end" : to);
  return {begin, end};
}

void write_equity_csv(const std::filesystem::path& path, const std::vector<backtest::RunResult>& runs) {
  std::ofstream out(path);
  if (!out) fail("{}: cannot create", path.string());
  out << "time_utc";
  for (const auto& r : runs) out << ',' << r.name;
  out << '\n';
  for (std::size_t i = 0; i < runs.front().equity.size(); ++i) {
    out << core::format_utc(runs.front().equity[i].time);
    for (const auto& r : runs)
      out << fmt::format(",{:.2f}", i < r.equity.size() ? static_cast<double>(r.equity[i].equity_cents) / 100.0 : 0.0);
    out << '\n';
  }
}

}  // namespace

void add_backtest(CLI::App& app) {
  struct Opts {
    std::string model;
    std::string data;
    std::string from, to;
    std::string out;
    bool stochastic = false;
    std::uint64_t seed = 1;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("backtest", "Backtest a trained model against always-flat, random and buy-and-hold");
  cmd->add_option("--model", o->model, "Model folder written by train (runs/NAME/fold_K)")->required();
  cmd->add_option("--data", o->data, "Dataset built with the model's feature set")->required();
  cmd->add_option("--from", o->from, "First trade date (YYYY-MM-DD); default: the model's test range");
  cmd->add_option("--to", o->to, "Last trade date (YYYY-MM-DD); default: the model's test range");
  cmd->add_option("--out", o->out, "Report folder (default MODEL/backtest)");
  cmd->add_flag("--stochastic", o->stochastic, "Sample actions (SB3's predict default) instead of argmax");
  cmd->add_option("--seed", o->seed, "Seed of stochastic actions and of the random baseline")->capture_default_str();
  cmd->callback([o] {
    const auto folder = model::load_model_bundle(o->model);
    const auto data = must(dataset::Dataset::open(o->data));
    must(folder.check_instrument(data.meta().instrument));  // an MES model never backtests on ES data
    must(data.check_feature_set(folder.scaler.feature_set()));
    must(folder.check_data(data.feature_set(), data.meta().bar, data.meta().instrument));
    auto [begin, end] = session_range(data, o->from, o->to);
    if (o->from.empty() && o->to.empty() && folder.metadata.contains("test")) {
      // The fold's own test range, by trade date, when this is the dataset it was trained on.
      const auto& t = folder.metadata["test"];
      std::tie(begin, end) = session_range(data, t.value("first_trade_date", ""), t.value("last_trade_date", ""));
    }
    rl::Policy policy = folder.load_policy(o->seed);
    env::EnvConfig cfg = folder.config.env;
    cfg.mode = env::EpisodeMode::kEvaluate;
    cfg.session_begin = begin;
    cfg.session_count = end - begin;
    const auto env_data = must(env::EnvData::create(data, folder.scaler, cfg));
    if (policy.observation_size() != env_data->observation_size())
      fail("{}: the policy takes {} inputs but this data gives {}", o->model, policy.observation_size(),
           env_data->observation_size());

    // The order-flow baseline: the rule train fitted on the model's training sessions, else (a
    // folder from before it was recorded) fitted here on the same sessions.
    std::optional<backtest::OrderFlowRule> flow;
    std::string flow_origin;
    const auto& columns = data.feature_set().columns();
    if (const auto column = backtest::order_flow_column(columns)) {
      if (folder.metadata.contains("order_flow_rule") && folder.metadata["order_flow_rule"].contains("threshold")) {
        const auto& r = folder.metadata["order_flow_rule"];
        flow = backtest::OrderFlowRule{columns[*column], *column, r["threshold"].get<float>(), 0, 0};
        flow_origin = "fitted by train on the training sessions";
      } else if (folder.metadata.contains("train")) {
        const auto& t = folder.metadata["train"];
        const auto [fit_begin, fit_end] =
            session_range(data, t.value("first_trade_date", ""), t.value("last_trade_date", ""));
        env::EnvConfig fit = cfg;
        fit.session_begin = fit_begin;
        fit.session_count = fit_end - fit_begin;
        flow = must(backtest::fit_order_flow_rule(columns, must(env::EnvData::create(data, folder.scaler, fit))));
        flow_origin = "fitted here on the model's training sessions";
      }
    }

    const bool det = !o->stochastic;
    const auto runs = must(backtest::evaluate_with_baselines(
        data, folder.scaler, env_data,
        [&](std::span<const float> obs) { return static_cast<std::int32_t>(policy.act(obs, det)); }, o->seed, flow));

    const auto d0 = core::format_trade_date(data.sessions()[begin].trade_date);
    const auto d1 = core::format_trade_date(data.sessions()[end - 1].trade_date);
    fmt::print("Backtest  {} on {} sessions {} .. {} ({} actions)\n", o->model, end - begin, d0, d1,
               det ? "deterministic" : "sampled");
    fmt::print("{}", backtest::format_metrics_table(runs));
    const auto sensitivity = must(backtest::cost_sensitivity(
        data, folder.scaler, cfg,
        [&](std::span<const float> obs) { return static_cast<std::int32_t>(policy.act(obs, det)); }, o->seed, flow));
    std::vector<std::string> names;
    for (const auto& r : runs) names.push_back(r.name);
    fmt::print("Net P&L under other costs and fill rules (this run: {} tick{} of slippage, {}):\n{}", cfg.slippage_ticks,
               cfg.slippage_ticks == 1 ? "" : "s", exec::to_string(cfg.fill_rule),
               backtest::format_sensitivity_table(sensitivity, names));

    const std::filesystem::path out = o->out.empty() ? folder.dir / "backtest" : std::filesystem::path(o->out);
    std::filesystem::create_directories(out);
    const auto es = data.meta().instrument;
    const auto& cal = core::session_calendar_of(es);
    must(backtest::write_trades_csv((out / "trades.csv").string(), runs.front().trades, es, cal));
    write_equity_csv(out / "equity.csv", runs);
    const auto& e = cfg;
    std::vector<std::pair<std::string, std::string>> facts = {
        {"model", o->model},
        {"data", fmt::format("{} ({} bars of {})", o->data, thousands(data.size()), data.meta().bar.to_string())},
        {"sessions", fmt::format("{} .. {} ({} sessions)", d0, d1, end - begin)},
        {"actions", det ? "deterministic (argmax)" : "sampled"},
        {"window", fmt::format("{} - {} exchange time", e.window_start.to_string(), e.window_end.to_string())},
        {"bracket", fmt::format("target {} ticks, stop {} ticks", e.bracket.target_ticks, e.bracket.stop_ticks)},
        {"costs", fmt::format("${:.2f} commission per contract per side, {} tick(s) slippage on market and stop fills",
                              static_cast<double>(e.commission_per_side_cents) / 100.0, e.slippage_ticks)},
        {"fills", fmt::format("target by the {} rule ({})", exec::to_string(e.fill_rule),
                              e.fill_rule == exec::LimitFillRule::kThrough
                                  ? "filled when a bar trades a tick beyond it"
                                  : "filled when a bar reaches it, optimistic")},
        {"risk", fmt::format("stop for the day ${:.2f} below the high-water mark or after ${:.2f} profit",
                             static_cast<double>(e.risk.max_drawdown_cents) / 100.0,
                             static_cast<double>(e.risk.daily_profit_target_cents) / 100.0)},
    };
    if (flow)
      facts.emplace_back("order-flow baseline", fmt::format("enter with {} beyond +/-{:.2f} sd, {}", flow->feature,
                                                            flow->threshold, flow_origin));
    std::ofstream(out / "report.html") << backtest::render_html_report("Backtest", facts, runs, es, cal, sensitivity);
    fmt::print("Wrote     {}, {}, {}\n", (out / "report.html").string(), (out / "trades.csv").string(),
               (out / "equity.csv").string());
  });
}

}  // namespace daytrader::cli
