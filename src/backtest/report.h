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

[[nodiscard]] core::Status write_trades_csv(const std::string& path, const std::vector<exec::ClosedTrade>& trades,
                                            const core::Instrument& instrument, const core::SessionCalendar& calendar);

// `facts` are label/value lines shown under the title (model, data, range, costs...).
[[nodiscard]] std::string render_html_report(const std::string& title,
                                             const std::vector<std::pair<std::string, std::string>>& facts,
                                             const std::vector<RunResult>& runs, const core::Instrument& instrument,
                                             const core::SessionCalendar& calendar);

}  // namespace daytrader::backtest
