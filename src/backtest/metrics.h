#pragma once
// Honest backtest figures from a ledger and an equity curve: net profit after costs, trade
// statistics, maximum drawdown of the marked-to-market equity, and the daily Sharpe ratio.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ticks.h"
#include "core/timestamp.h"
#include "exec/closed_trade.h"

namespace daytrader::backtest {

// Equity (balance + open P&L, after costs) at a decision time.
struct EquityPoint {
  core::Timestamp time;
  core::Cents equity_cents = 0;
};

// Net P&L of one trade date.
struct DayResult {
  std::int32_t trade_date = 0;  // days since 1970-01-01
  core::Cents pnl_cents = 0;
  std::int64_t trades = 0;
};

struct Metrics {
  core::Cents net_pnl_cents = 0;       // sum of net trade results (after commission and slippage)
  core::Cents gross_pnl_cents = 0;     // before commission
  core::Cents commission_cents = 0;
  std::int64_t trades = 0;
  std::int64_t wins = 0;               // net > 0
  std::int64_t losses = 0;             // net < 0
  double win_rate = 0;                 // wins / trades (0 without trades)
  double average_trade_cents = 0;      // net / trades (0 without trades)
  double profit_factor = 0;            // sum of winning nets / |sum of losing nets|; +inf without losses
  core::Cents max_drawdown_cents = 0;  // largest peak-to-trough fall of the equity curve, >= 0
  std::int64_t days = 0;
  double daily_sharpe = 0;             // mean / sample sd of daily P&L x sqrt(252); 0 if sd is 0
  double mean_daily_pnl_cents = 0;
};

// Daily results from trades by the trade date of their exit; every date in `dates` is present
// (a day without trades has P&L 0), so flat days count in the Sharpe ratio.
[[nodiscard]] std::vector<DayResult> daily_results(std::span<const exec::ClosedTrade> trades,
                                                   std::span<const std::int32_t> exit_trade_dates,
                                                   std::span<const std::int32_t> dates);

[[nodiscard]] Metrics compute_metrics(std::span<const exec::ClosedTrade> trades,
                                      std::span<const EquityPoint> equity,
                                      std::span<const DayResult> days);

// "+$1,234.50" / "-$12.50"
[[nodiscard]] std::string dollars(core::Cents cents);

}  // namespace daytrader::backtest
