#pragma once
// Runs a decision rule through the trading environment over a range of sessions, in order, once
// each, and collects what a backtest reports: the ledger, the equity at every decision and the
// day-by-day results. The model and the baselines go through exactly the same environment.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

// "Follow the order flow": at a decision while flat, enter long when the bar's order-flow feature
// (scaled, so in standard deviations of the training sessions) is at or above +threshold, short
// at or below -threshold; the same bracket, rules and costs as the model. The threshold is fitted
// on the training sessions (fit_order_flow_rule), never on the sessions it is shown on.
struct OrderFlowRule {
  std::string feature;    // the column followed: delta_share (delta / volume), else delta
  std::size_t index = 0;  // its index in the observation
  float threshold = 0;    // in the scaler's units
  core::Cents fit_net_pnl_cents = 0;  // net P&L of that threshold on the sessions it was fitted on
  std::int64_t fit_trades = 0;
};
// The thresholds tried, in standard deviations.
inline constexpr std::array<float, 8> kOrderFlowThresholds = {0.25F, 0.5F, 0.75F, 1.0F, 1.5F, 2.0F, 2.5F, 3.0F};
// The order-flow column of a feature set (delta_share, else delta); nullopt when it has neither.
[[nodiscard]] std::optional<std::size_t> order_flow_column(const std::vector<std::string>& columns);
[[nodiscard]] Decide order_flow(const OrderFlowRule& rule);
// Tries every threshold on `fit_data` (evaluation mode, the training sessions) and keeps the one
// with the highest net P&L (a tie goes to the higher threshold: fewer trades). Errors when the
// feature set has no order-flow column.
[[nodiscard]] core::Result<OrderFlowRule> fit_order_flow_rule(const std::vector<std::string>& columns,
                                                              std::shared_ptr<const env::EnvData> fit_data);

// The run names, in the order evaluate_with_baselines returns them.
inline constexpr std::size_t kModelRun = 0, kFlatRun = 1, kRandomRun = 2, kBuyAndHoldRun = 3, kOrderFlowRun = 4;

// The model next to every baseline on the sessions of `data` (built in evaluation mode from
// `dataset` and `scaler`): model, always flat, random actions (seeded), buy and hold, and the
// order-flow rule when one is given, in that order. Errors when the buy-and-hold variant of the
// data cannot be built.
[[nodiscard]] core::Result<std::vector<RunResult>> evaluate_with_baselines(
    const dataset::Dataset& dataset, const features::Scaler& scaler, std::shared_ptr<const env::EnvData> data,
    const Decide& model, std::uint64_t random_seed, const std::optional<OrderFlowRule>& order_flow_rule = {});

// The model and every baseline again at 0, 1 and 2 ticks of slippage under each fill rule, all
// else as in `config` (evaluation mode, the sessions to report on). `model` must not keep state
// between calls (a deterministic policy); the random baseline restarts from `random_seed`.
[[nodiscard]] core::Result<std::vector<SensitivityRow>> cost_sensitivity(
    const dataset::Dataset& dataset, const features::Scaler& scaler, const env::EnvConfig& config,
    const Decide& model, std::uint64_t random_seed, const std::optional<OrderFlowRule>& order_flow_rule = {});

}  // namespace daytrader::backtest
