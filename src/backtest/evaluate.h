#pragma once
// Runs a decision rule through the trading environment over a range of sessions, in order, once
// each, and collects what a backtest reports: the ledger, the equity at every decision and the
// day-by-day results. The model and the baselines go through exactly the same environment.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "backtest/report.h"
#include "dataset/dataset.h"
#include "env/env_data.h"
#include "features/scaler.h"

namespace daytrader::backtest {

// Chooses an action (0..4) from an observation.
using Decide = std::function<std::int32_t(std::span<const float> observation)>;

// `data` must be built in evaluation mode. Equity is cumulative over the run: the starting balance
// plus the net results of the days before and the current day's marked-to-market equity change.
[[nodiscard]] RunResult evaluate(const std::string& name, std::shared_ptr<const env::EnvData> data,
                                 const Decide& decide);

// The baselines every model is shown next to.
[[nodiscard]] Decide always_flat();
[[nodiscard]] Decide random_actions(std::uint64_t seed);
// Buys at the first decision where entries are allowed and holds to the end of the window; build
// its EnvData with buy_and_hold_config() so that no bracket cuts the holding short.
[[nodiscard]] Decide buy_and_hold();
[[nodiscard]] env::EnvConfig buy_and_hold_config(env::EnvConfig config);

// The model next to every baseline on the sessions of `data` (built in evaluation mode from
// `dataset` and `scaler`): model, always flat, random actions (seeded), buy and hold, in that
// order. Errors when the buy-and-hold variant of the data cannot be built.
[[nodiscard]] core::Result<std::vector<RunResult>> evaluate_with_baselines(
    const dataset::Dataset& dataset, const features::Scaler& scaler, std::shared_ptr<const env::EnvData> data,
    const Decide& model, std::uint64_t random_seed);

}  // namespace daytrader::backtest
