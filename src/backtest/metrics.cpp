#include "backtest/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "core/assert.h"

namespace daytrader::backtest {

std::vector<DayResult> daily_results(std::span<const exec::ClosedTrade> trades,
                                     std::span<const std::int32_t> exit_trade_dates,
                                     std::span<const std::int32_t> dates) {
  DT_ASSERT(trades.size() == exit_trade_dates.size(), "one trade date per trade");
  std::map<std::int32_t, DayResult> by_date;
  for (const std::int32_t d : dates) by_date[d] = DayResult{d, 0, 0};
  for (std::size_t i = 0; i < trades.size(); ++i) {
    DayResult& day = by_date[exit_trade_dates[i]];
    day.trade_date = exit_trade_dates[i];
    day.pnl_cents += trades[i].net_cents;
    ++day.trades;
  }
  std::vector<DayResult> out;
  out.reserve(by_date.size());
  for (const auto& [d, r] : by_date) out.push_back(r);
  return out;
}

Metrics compute_metrics(std::span<const exec::ClosedTrade> trades, std::span<const EquityPoint> equity,
                        std::span<const DayResult> days) {
  Metrics m;
  core::Cents won = 0, lost = 0;
  for (const auto& t : trades) {
    m.net_pnl_cents += t.net_cents;
    m.gross_pnl_cents += t.gross_cents;
    m.commission_cents += t.commission_cents;
    if (t.net_cents > 0) {
      ++m.wins;
      won += t.net_cents;
    } else if (t.net_cents < 0) {
      ++m.losses;
      lost -= t.net_cents;
    }
  }
  m.trades = static_cast<std::int64_t>(trades.size());
  if (m.trades > 0) {
    m.win_rate = static_cast<double>(m.wins) / static_cast<double>(m.trades);
    m.average_trade_cents = static_cast<double>(m.net_pnl_cents) / static_cast<double>(m.trades);
  }
  m.profit_factor = lost > 0 ? static_cast<double>(won) / static_cast<double>(lost)
                             : (won > 0 ? std::numeric_limits<double>::infinity() : 0.0);

  core::Cents peak = std::numeric_limits<core::Cents>::min();
  for (const auto& p : equity) {
    peak = std::max(peak, p.equity_cents);
    m.max_drawdown_cents = std::max(m.max_drawdown_cents, peak - p.equity_cents);
  }

  m.days = static_cast<std::int64_t>(days.size());
  if (!days.empty()) {
    double sum = 0;
    for (const auto& d : days) sum += static_cast<double>(d.pnl_cents);
    const double mean = sum / static_cast<double>(days.size());
    m.mean_daily_pnl_cents = mean;
    if (days.size() > 1) {
      double ss = 0;
      for (const auto& d : days) ss += (static_cast<double>(d.pnl_cents) - mean) * (static_cast<double>(d.pnl_cents) - mean);
      const double sd = std::sqrt(ss / static_cast<double>(days.size() - 1));
      m.daily_sharpe = sd > 0 ? mean / sd * std::sqrt(252.0) : 0.0;
    }
  }
  return m;
}

std::string dollars(core::Cents cents) {
  const bool neg = cents < 0;
  const std::uint64_t abs = neg ? static_cast<std::uint64_t>(-cents) : static_cast<std::uint64_t>(cents);
  std::string whole = std::to_string(abs / 100);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  return fmt::format("{}${}.{:02}", neg ? "-" : (cents > 0 ? "+" : ""), grouped, abs % 100);
}

}  // namespace daytrader::backtest
