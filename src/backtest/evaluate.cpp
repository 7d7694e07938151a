#include "backtest/evaluate.h"

#include <random>

#include "env/trading_env.h"

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
                                                             const Decide& model, std::uint64_t random_seed) {
  auto hold_data = env::EnvData::create(dataset, scaler, buy_and_hold_config(data->config()));
  if (!hold_data) return hold_data.error();
  std::vector<RunResult> runs;
  runs.push_back(evaluate("model", data, model));
  runs.push_back(evaluate("always flat", data, always_flat()));
  runs.push_back(evaluate("random actions", data, random_actions(random_seed)));
  runs.push_back(evaluate("buy and hold", *hold_data, buy_and_hold()));
  return runs;
}

}  // namespace daytrader::backtest
