#pragma once
// Live next to the backtest: the same model over the same session through the environment, and a
// trade-by-trade comparison (entry time, side, exit reason, fill prices, net P&L).

#include <cstdint>
#include <string>
#include <vector>

#include "core/instrument.h"
#include "core/session_calendar.h"
#include "dataset/dataset.h"
#include "exec/closed_trade.h"
#include "model/model_bundle.h"
#include "rl/policy.h"

namespace daytrader::live {

// The backtest's trades of `trade_date` (the environment in evaluation mode, one episode).
// Throws core::DaytraderError when the dataset does not fit the model or lacks the session.
[[nodiscard]] std::vector<exec::ClosedTrade> backtest_trades(const model::ModelBundle& model, rl::Policy& policy,
                                                             const dataset::Dataset& data, std::int32_t trade_date,
                                                             bool deterministic);

struct TradeComparison {
  std::string table;  // one line per trade, live | backtest, with a marker where they differ
  std::size_t matching = 0;
  std::size_t differing = 0;  // trades present on both sides that differ, and trades on one side only
  core::Cents live_net_cents = 0;
  core::Cents backtest_net_cents = 0;
  [[nodiscard]] bool identical() const noexcept { return differing == 0; }
};

// Trades equal when side, quantity, entry and exit bar, fill prices, reason, commission and P&L
// are all equal. Times are compared by bar (`bar_period`): the backtest dates a fill at its
// bar's open or close, live at the server's fill time inside the same bar.
[[nodiscard]] TradeComparison compare_trades(const std::vector<exec::ClosedTrade>& live,
                                             const std::vector<exec::ClosedTrade>& backtest,
                                             const core::Instrument& instrument, const core::SessionCalendar& calendar,
                                             core::Nanoseconds bar_period = std::chrono::minutes(1));

}  // namespace daytrader::live
