#pragma once
// Backtest output: a text table for the terminal, the trades CSV, and a self-contained HTML page
// (inline SVG, no scripts or downloads) with equity curves, drawdown, daily P&L and the trades.

#include <string>
#include <utility>
#include <vector>

#include "backtest/metrics.h"
#include "core/instrument.h"
#include "core/result.h"
#include "core/session_calendar.h"
#include "exec/fill_model.h"

namespace daytrader::backtest {

struct RunResult {
  std::string name;  // "model", "always flat", "random actions", "buy and hold"
  Metrics metrics;
  std::vector<EquityPoint> equity;
  std::vector<DayResult> days;
  std::vector<exec::ClosedTrade> trades;
};

// One row per run: net P&L, trades, win rate, average trade, profit factor, max drawdown, Sharpe.
[[nodiscard]] std::string format_metrics_table(const std::vector<RunResult>& runs);

// Net P&L of every run (the model and the baselines, in their usual order) under one setting of
// costs and fills: a row of the sensitivity table (backtest::cost_sensitivity).
struct SensitivityRow {
  std::int64_t slippage_ticks = 0;
  exec::LimitFillRule fill_rule = exec::LimitFillRule::kThrough;
  std::vector<core::Cents> net_pnl_cents;  // one per run
};
// One line per row, one column per run; `names` are the runs' names.
[[nodiscard]] std::string format_sensitivity_table(const std::vector<SensitivityRow>& rows,
                                                   const std::vector<std::string>& names);

[[nodiscard]] core::Status write_trades_csv(const std::string& path, const std::vector<exec::ClosedTrade>& trades,
                                            const core::Instrument& instrument, const core::SessionCalendar& calendar);

// `facts` are label/value lines shown under the title (model, data, range, costs...);
// `sensitivity`, when not empty, is shown as a table after the results.
[[nodiscard]] std::string render_html_report(const std::string& title,
                                             const std::vector<std::pair<std::string, std::string>>& facts,
                                             const std::vector<RunResult>& runs, const core::Instrument& instrument,
                                             const core::SessionCalendar& calendar,
                                             const std::vector<SensitivityRow>& sensitivity = {});

}  // namespace daytrader::backtest
