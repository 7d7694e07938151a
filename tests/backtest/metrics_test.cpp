#include "backtest/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "backtest/report.h"

namespace daytrader::backtest {
namespace {

exec::ClosedTrade trade(core::Cents net, core::Cents commission = 450) {
  exec::ClosedTrade t;
  t.net_cents = net;
  t.commission_cents = commission;
  t.gross_cents = net + commission;
  return t;
}

TEST(Metrics, ComputesTradeStatisticsDrawdownAndSharpeByHand) {
  const std::vector<exec::ClosedTrade> trades = {trade(10'000), trade(-5'000), trade(3'000), trade(0)};
  std::vector<EquityPoint> equity;
  for (core::Cents e : {0, 10'000, 5'000, 8'000, 2'000, 12'000}) equity.push_back({core::Timestamp{}, e});
  const std::vector<DayResult> days = {{1, 10'000, 1}, {2, -5'000, 1}, {3, 3'000, 2}};
  const Metrics m = compute_metrics(trades, equity, days);
  EXPECT_EQ(m.net_pnl_cents, 8'000);
  EXPECT_EQ(m.commission_cents, 1'800);
  EXPECT_EQ(m.gross_pnl_cents, 9'800);
  EXPECT_EQ(m.trades, 4);
  EXPECT_EQ(m.wins, 2);
  EXPECT_EQ(m.losses, 1);
  EXPECT_DOUBLE_EQ(m.win_rate, 0.5);
  EXPECT_DOUBLE_EQ(m.average_trade_cents, 2'000.0);
  EXPECT_DOUBLE_EQ(m.profit_factor, 13'000.0 / 5'000.0);
  EXPECT_EQ(m.max_drawdown_cents, 8'000);  // from 10,000 down to 2,000
  EXPECT_EQ(m.days, 3);
  // Daily P&L 100, -50, 30 dollars: mean 26.667, sample sd 75.056, x sqrt(252).
  EXPECT_NEAR(m.daily_sharpe, 5.6401, 1e-3);
}

TEST(Metrics, HandlesNoTradesAndNoLosses) {
  const Metrics none = compute_metrics({}, {}, {});
  EXPECT_EQ(none.trades, 0);
  EXPECT_EQ(none.win_rate, 0);
  EXPECT_EQ(none.profit_factor, 0);
  EXPECT_EQ(none.daily_sharpe, 0);
  const std::vector<exec::ClosedTrade> winners = {trade(100), trade(200)};
  const std::vector<DayResult> flat_days = {{1, 0, 0}, {2, 0, 0}};
  const Metrics w = compute_metrics(winners, {}, flat_days);
  EXPECT_TRUE(std::isinf(w.profit_factor));
  EXPECT_EQ(w.daily_sharpe, 0);  // zero spread of daily P&L
}

TEST(Metrics, DailyResultsKeepDaysWithoutTrades) {
  const std::vector<exec::ClosedTrade> trades = {trade(500), trade(-200), trade(100)};
  const std::vector<std::int32_t> exit_dates = {10, 10, 12};
  const std::vector<std::int32_t> dates = {10, 11, 12, 13};
  const auto days = daily_results(trades, exit_dates, dates);
  ASSERT_EQ(days.size(), 4u);
  EXPECT_EQ(days[0].pnl_cents, 300);
  EXPECT_EQ(days[0].trades, 2);
  EXPECT_EQ(days[1].pnl_cents, 0);
  EXPECT_EQ(days[2].pnl_cents, 100);
  EXPECT_EQ(days[3].trades, 0);
}

TEST(Metrics, FormatsDollarsFromCents) {
  EXPECT_EQ(dollars(123'450), "+$1,234.50");
  EXPECT_EQ(dollars(-1'250), "-$12.50");
  EXPECT_EQ(dollars(0), "$0.00");
  EXPECT_EQ(dollars(100'000'000), "+$1,000,000.00");
}

TEST(Report, RendersASelfContainedPageWithEveryRun) {
  RunResult model{"model", {}, {}, {{19800, 1'250, 1}}, {trade(1'250)}};
  model.equity = {{core::Timestamp{} + std::chrono::hours(15), 0}, {core::Timestamp{} + std::chrono::hours(16), 1'250}};
  model.metrics = compute_metrics(model.trades, model.equity, model.days);
  RunResult flat{"always flat", {}, model.equity, {{19800, 0, 0}}, {}};
  flat.equity[1].equity_cents = 0;
  const std::string html = render_html_report("Backtest <fold 1>", {{"model", "runs/x/fold_1"}}, {model, flat},
                                              core::Instrument::es(), core::SessionCalendar::cme_globex());
  EXPECT_NE(html.find("<title>Backtest &lt;fold 1&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("always flat"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("+$12.50"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing to download
  const std::string table = format_metrics_table({model, flat});
  EXPECT_NE(table.find("model"), std::string::npos);
  EXPECT_NE(table.find("inf"), std::string::npos);
}

}  // namespace
}  // namespace daytrader::backtest
