#include "backtest/report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <date/date.h>
#include <fmt/format.h>

#include "backtest/html.h"

namespace daytrader::backtest {

namespace {

std::string factor(double pf) { return std::isinf(pf) ? "inf" : fmt::format("{:.2f}", pf); }

struct Frame {
  double x0 = 84, y0 = 20, w = 860, h = 260;  // plot area inside a 960 x 320 viewBox
};

// Equity curves of every run on one time axis made of the decision times of all runs, so nights and
// weekends take no room and a run whose day ended early (a lockout) stays aligned with the others.
std::string equity_svg(const std::vector<RunResult>& runs, const core::SessionCalendar& cal) {
  const Frame f;
  std::vector<core::Timestamp> axis;
  double lo = 0, hi = 0;
  bool first = true;
  for (const auto& r : runs) {
    for (const auto& p : r.equity) {
      axis.push_back(p.time);
      const double v = static_cast<double>(p.equity_cents - r.equity.front().equity_cents) / 100.0;
      lo = first ? v : std::min(lo, v);
      hi = first ? v : std::max(hi, v);
      first = false;
    }
  }
  std::sort(axis.begin(), axis.end());
  axis.erase(std::unique(axis.begin(), axis.end()), axis.end());
  const std::size_t n = axis.size();
  if (n < 2) return "<p>No equity points.</p>";
  if (hi - lo < 1) { hi += 50; lo -= 50; }
  const double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  auto x = [&](std::size_t i) { return f.x0 + f.w * static_cast<double>(i) / static_cast<double>(n - 1); };
  auto x_of = [&](core::Timestamp t) {
    return x(static_cast<std::size_t>(std::lower_bound(axis.begin(), axis.end(), t) - axis.begin()));
  };
  auto y = [&](double v) { return f.y0 + f.h * (hi - v) / (hi - lo); };
  std::string svg = "<svg viewBox=\"0 0 960 320\" class=\"chart\" role=\"img\" aria-label=\"equity curves\">";
  // Horizontal grid with dollar labels.
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4.0;
    svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>",
                       f.x0, f.x0 + f.w, y(v), y(v), f.x0 - 6, y(v) + 4, dollars(static_cast<core::Cents>(v * 100)));
  }
  svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"zero\"/>", f.x0,
                     f.x0 + f.w, y(0), y(0));
  // Day boundaries, labelled with the trade date.
  std::int32_t last_day = INT32_MIN;
  for (std::size_t i = 0; i < n; ++i) {
    const auto d = static_cast<std::int32_t>(cal.trade_date(axis[i]).time_since_epoch().count());
    if (d == last_day) continue;
    last_day = d;
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" class=\"day\"/>"
                       "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"axis\">{4}</text>",
                       x(i), f.y0, f.y0 + f.h, f.y0 + f.h + 14, date::format("%m-%d", date::sys_days(date::days(d))));
  }
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const auto& eq = runs[r].equity;
    if (eq.empty()) continue;
    std::string pts;
    const std::size_t step = std::max<std::size_t>(1, eq.size() / 2000);
    auto point = [&](std::size_t i) {
      pts += fmt::format("{:.1f},{:.1f} ", x_of(eq[i].time),
                         y(static_cast<double>(eq[i].equity_cents - eq.front().equity_cents) / 100.0));
    };
    for (std::size_t i = 0; i < eq.size(); i += step) point(i);
    point(eq.size() - 1);
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>", pts,
                       kRunColors[r % std::size(kRunColors)], r == 0 ? 2.2 : 1.3);
  }
  svg += "</svg>";
  return svg;
}

// Daily net P&L of one run as bars, green up and red down.
std::string daily_svg(const RunResult& run) {
  const Frame f;
  if (run.days.empty()) return "<p>No days.</p>";
  double m = 1;
  for (const auto& d : run.days) m = std::max(m, std::fabs(static_cast<double>(d.pnl_cents) / 100.0));
  const double bw = f.w / static_cast<double>(run.days.size());
  auto y = [&](double v) { return f.y0 + f.h / 2 - (f.h / 2) * v / m; };
  std::string svg = "<svg viewBox=\"0 0 960 320\" class=\"chart\" role=\"img\" aria-label=\"daily P&amp;L\">";
  svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"zero\"/>", f.x0, f.x0 + f.w,
                     y(0), y(0));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>", f.x0 - 6, y(m) + 4,
                     dollars(static_cast<core::Cents>(m * 100)));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>", f.x0 - 6,
                     y(-m) + 4, dollars(static_cast<core::Cents>(-m * 100)));
  for (std::size_t i = 0; i < run.days.size(); ++i) {
    const double v = static_cast<double>(run.days[i].pnl_cents) / 100.0;
    const double top = std::min(y(v), y(0)), height = std::fabs(y(v) - y(0));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                       "<title>{}: {} ({} trades)</title></rect>",
                       f.x0 + bw * static_cast<double>(i) + bw * 0.1, top, bw * 0.8, std::max(height, 0.5),
                       v >= 0 ? "#2da44e" : "#cf222e",
                       core::format_trade_date(run.days[i].trade_date),
                       dollars(run.days[i].pnl_cents), run.days[i].trades);
  }
  svg += "</svg>";
  return svg;
}

}  // namespace

std::string format_metrics_table(const std::vector<RunResult>& runs) {
  std::string out = fmt::format("{:<16} {:>13} {:>7} {:>6} {:>11} {:>7} {:>12} {:>7}\n", "run", "net P&L", "trades",
                                "win %", "avg trade", "PF", "max DD", "Sharpe");
  for (const auto& r : runs) {
    const auto& m = r.metrics;
    out += fmt::format("{:<16} {:>13} {:>7} {:>6.1f} {:>11} {:>7} {:>12} {:>7.2f}\n", r.name, dollars(m.net_pnl_cents),
                       m.trades, m.win_rate * 100.0, dollars(static_cast<core::Cents>(std::llround(m.average_trade_cents))),
                       factor(m.profit_factor), dollars(-m.max_drawdown_cents), m.daily_sharpe);
  }
  return out;
}

std::string format_sensitivity_table(const std::vector<SensitivityRow>& rows, const std::vector<std::string>& names) {
  std::string out = fmt::format("{:<9} {:<8}", "slippage", "fills");
  for (const auto& n : names) out += fmt::format(" {:>14}", n);
  out += "\n";
  for (const auto& r : rows) {
    out += fmt::format("{:<9} {:<8}", fmt::format("{} tick{}", r.slippage_ticks, r.slippage_ticks == 1 ? "" : "s"),
                       exec::to_string(r.fill_rule));
    for (const core::Cents c : r.net_pnl_cents) out += fmt::format(" {:>14}", dollars(c));
    out += "\n";
  }
  return out;
}

core::Status write_trades_csv(const std::string& path, const std::vector<exec::ClosedTrade>& trades,
                              const core::Instrument& instrument, const core::SessionCalendar& calendar) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return core::Error{fmt::format("{}: cannot create: {}", path, std::strerror(errno))};
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf),
                 "entry_time_utc,exit_time_utc,entry_time_exchange,exit_time_exchange,side,quantity,entry_price,"
                 "exit_price,exit_reason,gross_usd,commission_usd,net_usd\n");
  for (const auto& t : trades)
    fmt::format_to(std::back_inserter(buf), "{},{},{},{},{},{},{:.2f},{:.2f},{},{:.2f},{:.2f},{:.2f}\n",
                   core::format_utc(t.entry_time), core::format_utc(t.exit_time), calendar.format_local(t.entry_time),
                   calendar.format_local(t.exit_time), t.side == exec::Side::kLong ? "long" : "short", t.quantity,
                   instrument.to_price(t.entry_price), instrument.to_price(t.exit_price), exec::to_string(t.reason),
                   static_cast<double>(t.gross_cents) / 100.0, static_cast<double>(t.commission_cents) / 100.0,
                   static_cast<double>(t.net_cents) / 100.0);
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  if (std::fclose(f) != 0 || !ok) return core::Error{fmt::format("{}: cannot write: {}", path, std::strerror(errno))};
  return {};
}

std::string render_html_report(const std::string& title, const std::vector<std::pair<std::string, std::string>>& facts,
                               const std::vector<RunResult>& runs, const core::Instrument& instrument,
                               const core::SessionCalendar& calendar, const std::vector<SensitivityRow>& sensitivity) {
  std::string h;
  h += html_head(title);
  h += "<h1>" + html_escape(title) + "</h1><table class=\"facts\">";
  for (const auto& [k, v] : facts) h += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>";
  h += "</table><h2>Results</h2><table><tr><th>run</th><th>net P&amp;L</th><th>trades</th><th>win rate</th>"
       "<th>avg trade</th><th>profit factor</th><th>max drawdown</th><th>daily Sharpe</th></tr>";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& m = runs[i].metrics;
    h += fmt::format("<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"{}\">{}</td>"
                     "<td>{}</td><td>{:.1f}%</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td></tr>",
                     kRunColors[i % std::size(kRunColors)], html_escape(runs[i].name),
                     m.net_pnl_cents >= 0 ? "pos" : "neg",
                     dollars(m.net_pnl_cents), m.trades, m.win_rate * 100.0,
                     dollars(static_cast<core::Cents>(std::llround(m.average_trade_cents))), factor(m.profit_factor),
                     dollars(-m.max_drawdown_cents), m.daily_sharpe);
  }
  h += "</table>";
  if (!sensitivity.empty()) {
    h += "<h2>Net P&amp;L under other costs and fill rules</h2><p>Slippage on market and stop fills; the "
         "target fills when a bar trades a tick beyond it (through) or when it reaches it (touch, optimistic). "
         "Nothing else changes; the order-flow threshold stays the one fitted on the training sessions.</p>"
         "<table><tr><th>slippage</th><th>fills</th>";
    for (const auto& r : runs) h += "<th>" + html_escape(r.name) + "</th>";
    h += "</tr>";
    for (const auto& row : sensitivity) {
      h += fmt::format("<tr><td>{} tick{}</td><td>{}</td>", row.slippage_ticks, row.slippage_ticks == 1 ? "" : "s",
                       exec::to_string(row.fill_rule));
      for (const core::Cents c : row.net_pnl_cents)
        h += fmt::format("<td class=\"{}\">{}</td>", c >= 0 ? "pos" : "neg", dollars(c));
      h += "</tr>";
    }
    h += "</table>";
  }
  h += "<h2>Equity (net of costs), by decision</h2>" + equity_svg(runs, calendar);
  if (!runs.empty()) {
    h += "<h2>Daily net P&amp;L of " + html_escape(runs.front().name) + "</h2>" + daily_svg(runs.front());
    const auto& trades = runs.front().trades;
    h += fmt::format("<h2>Trades of {} ({})</h2><table><tr><th>entry (exchange time)</th><th>side</th><th>entry</th>"
                     "<th>exit</th><th>exit time</th><th>reason</th><th>net</th></tr>",
                     html_escape(runs.front().name), trades.size());
    const std::size_t shown = std::min<std::size_t>(trades.size(), 500);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& t = trades[i];
      h += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td>{}</td><td>{}</td>"
                       "<td class=\"{}\">{}</td></tr>",
                       calendar.format_local(t.entry_time), t.side == exec::Side::kLong ? "long" : "short",
                       instrument.to_price(t.entry_price), instrument.to_price(t.exit_price),
                       calendar.format_local(t.exit_time).substr(11), exec::to_string(t.reason),
                       t.net_cents >= 0 ? "pos" : "neg", dollars(t.net_cents));
    }
    h += "</table>";
    if (shown < trades.size()) h += fmt::format("<p>{} more trades in the trades CSV.</p>", trades.size() - shown);
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace daytrader::backtest
