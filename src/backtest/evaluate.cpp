#include "backtest/evaluate.h"

#include <random>

#include "env/trading_env.h"
#include "exec/order_manager.h"

namespace daytrader::backtest {

RunResult evaluate(const std::string& name, std::shared_ptr<const env::EnvData> data, const Decide& decide) {
  RunResult run;
  run.name = name;
  env::TradingEnv environment(data, 0);
  std::vector<float> obs(environment.observation_size());
  core::Cents banked = 0;  // net results of the finished days
  std::vector<std::int32_t> exit_dates, dates;
  while (environment.reset(obs)) {
    const core::Cents start = environment.equity_cents();
    const std::int32_t date = environment.episode().trade_date;
    dates.push_back(date);
    run.equity.push_back({environment.decision_time(), start + banked});
    for (;;) {
      const env::StepResult r = environment.step(decide(obs), obs);
      run.equity.push_back({environment.decision_time(), environment.equity_cents() + banked});
      if (r.done()) break;
    }
    for (const auto& t : environment.account().trades()) {
      run.trades.push_back(t);
      exit_dates.push_back(date);
    }
    banked += environment.equity_cents() - start;
  }
  run.days = daily_results(run.trades, exit_dates, dates);
  run.metrics = compute_metrics(run.trades, run.equity, run.days);
  return run;
}

Decide always_flat() {
  return [](std::span<const float>) { return static_cast<std::int32_t>(4); };
}

Decide random_actions(std::uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng](std::span<const float>) { return static_cast<std::int32_t>((*rng)() % 5); };
}

std::optional<std::size_t> order_flow_column(const std::vector<std::string>& columns) {
  for (const char* name : {"delta_share", "delta"})
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == name) return i;
  return std::nullopt;
}

Decide order_flow(const OrderFlowRule& rule) {
  return [index = rule.index, threshold = rule.threshold](std::span<const float> obs) {
    const float x = obs[index];
    if (x >= threshold) return static_cast<std::int32_t>(exec::Action::kBuyEntry);
    if (x <= -threshold) return static_cast<std::int32_t>(exec::Action::kShortEntry);
    return static_cast<std::int32_t>(exec::Action::kNothing);
  };
}

core::Result<OrderFlowRule> fit_order_flow_rule(const std::vector<std::string>& columns,
                                                std::shared_ptr<const env::EnvData> fit_data) {
  const auto column = order_flow_column(columns);
  if (!column) return core::Error{"the feature set has no order-flow column (delta_share or delta)"};
  std::optional<OrderFlowRule> best;
  for (const float threshold : kOrderFlowThresholds) {
    OrderFlowRule rule{columns[*column], *column, threshold, 0, 0};
    const Metrics m = evaluate("order flow", fit_data, order_flow(rule)).metrics;
    rule.fit_net_pnl_cents = m.net_pnl_cents;
    rule.fit_trades = m.trades;
    if (!best || rule.fit_net_pnl_cents >= best->fit_net_pnl_cents) best = rule;  // ascending: ties go up
  }
  return *best;
}

Decide buy_and_hold() {
  // Action 0 does nothing while long or outside the window, so "always buy" holds one contract
  // from the first allowed decision until the end-of-window flatten.
  return [](std::span<const float>) { return static_cast<std::int32_t>(0); };
}

env::EnvConfig buy_and_hold_config(env::EnvConfig config) {
  config.bracket.target_ticks = 1'000'000;  // 250,000 points: never reached
  config.bracket.stop_ticks = 1'000'000;
  config.risk = exec::RiskLimits{0, 0};     // hold through the day
  return config;
}

core::Result<std::vector<RunResult>> evaluate_with_baselines(const dataset::Dataset& dataset,
                                                             const features::Scaler& scaler,
                                                             std::shared_ptr<const env::EnvData> data,
                                                             const Decide& model, std::uint64_t random_seed,
                                                             const std::optional<OrderFlowRule>& order_flow_rule) {
  auto hold_data = env::EnvData::create(dataset, scaler, buy_and_hold_config(data->config()));
  if (!hold_data) return hold_data.error();
  std::vector<RunResult> runs;
  runs.push_back(evaluate("model", data, model));
  runs.push_back(evaluate("always flat", data, always_flat()));
  runs.push_back(evaluate("random actions", data, random_actions(random_seed)));
  runs.push_back(evaluate("buy and hold", *hold_data, buy_and_hold()));
  if (order_flow_rule) runs.push_back(evaluate("order flow", data, order_flow(*order_flow_rule)));
  return runs;
}

core::Result<std::vector<SensitivityRow>> cost_sensitivity(const dataset::Dataset& dataset,
                                                           const features::Scaler& scaler,
                                                           const env::EnvConfig& config, const Decide& model,
                                                           std::uint64_t random_seed,
                                                           const std::optional<OrderFlowRule>& order_flow_rule) {
  std::vector<SensitivityRow> rows;
  for (const exec::LimitFillRule rule : {exec::LimitFillRule::kThrough, exec::LimitFillRule::kTouch}) {
    for (const std::int64_t slippage : {0, 1, 2}) {
      env::EnvConfig c = config;
      c.slippage_ticks = slippage;
      c.fill_rule = rule;
      auto data = env::EnvData::create(dataset, scaler, c);
      if (!data) return data.error();
      auto runs = evaluate_with_baselines(dataset, scaler, *data, model, random_seed, order_flow_rule);
      if (!runs) return runs.error();
      SensitivityRow row{slippage, rule, {}};
      for (const auto& r : *runs) row.net_pnl_cents.push_back(r.metrics.net_pnl_cents);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace daytrader::backtest
