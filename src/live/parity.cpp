#include "live/parity.h"

#include <fmt/format.h>

#include "backtest/evaluate.h"
#include "env/env_data.h"

namespace daytrader::live {

std::vector<exec::ClosedTrade> backtest_trades(const model::ModelBundle& model, rl::Policy& policy,
                                               const dataset::Dataset& data, std::int32_t trade_date,
                                               bool deterministic) {
  if (auto st = model.check_data(data.feature_set(), data.meta().bar, data.meta().instrument); !st)
    throw core::DaytraderError(st.error().message);
  std::size_t session = data.sessions().size();
  for (std::size_t i = 0; i < data.sessions().size(); ++i)
    if (data.sessions()[i].trade_date == trade_date) session = i;
  if (session == data.sessions().size())
    throw core::DaytraderError(
        fmt::format("{}: no session {} to backtest", data.path(), core::format_trade_date(trade_date)));
  env::EnvConfig cfg = model.config.env;
  cfg.mode = env::EpisodeMode::kEvaluate;
  cfg.session_begin = session;
  cfg.session_count = 1;
  auto env_data = env::EnvData::create(data, model.scaler, cfg);
  if (!env_data) throw core::DaytraderError(env_data.error().message);
  const auto run = backtest::evaluate("model", *env_data, [&](std::span<const float> obs) {
    return static_cast<std::int32_t>(policy.act(obs, deterministic));
  });
  return run.trades;
}

TradeComparison compare_trades(const std::vector<exec::ClosedTrade>& live,
                               const std::vector<exec::ClosedTrade>& backtest, const core::Instrument& ins,
                               const core::SessionCalendar& cal, core::Nanoseconds bar_period) {
  TradeComparison c;
  const auto bar_of = [&](core::Timestamp t) { return core::to_unix_ns(t) / bar_period.count(); };
  // The backtest dates a bracket fill inside a bar at that bar's close; live at the fill's time.
  const auto exit_bar_of = [&](const exec::ClosedTrade& t) {
    const auto ns = core::to_unix_ns(t.exit_time);
    const bool at_close = ns % bar_period.count() == 0 &&
                          (t.reason == exec::ExitReason::kTarget || t.reason == exec::ExitReason::kStop);
    return at_close ? ns / bar_period.count() - 1 : ns / bar_period.count();
  };
  const auto same = [&](const exec::ClosedTrade& a, const exec::ClosedTrade& b) {
    return a.side == b.side && a.quantity == b.quantity && a.entry_price == b.entry_price &&
           a.exit_price == b.exit_price && a.reason == b.reason && a.gross_cents == b.gross_cents &&
           a.commission_cents == b.commission_cents && a.net_cents == b.net_cents &&
           bar_of(a.entry_time) == bar_of(b.entry_time) && exit_bar_of(a) == exit_bar_of(b);
  };
  const auto line = [&](const exec::ClosedTrade& t) {
    return fmt::format("{} {:<5} {:>9.2f} -> {} {:>9.2f} {:<10} {:>+10.2f}", cal.format_local(t.entry_time).substr(11, 8),
                       exec::to_string(t.side), ins.to_price(t.entry_price), cal.format_local(t.exit_time).substr(11, 8),
                       ins.to_price(t.exit_price), exec::to_string(t.reason), static_cast<double>(t.net_cents) / 100.0);
  };
  const std::string blank(62, ' ');
  c.table += fmt::format("  {:<62} | {:<62}\n", "live (entry, side, price -> exit, price, reason, net $)", "backtest");
  const std::size_t n = std::max(live.size(), backtest.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool has_l = i < live.size(), has_b = i < backtest.size();
    const bool equal = has_l && has_b && same(live[i], backtest[i]);
    if (equal) ++c.matching;
    else ++c.differing;
    c.table += fmt::format("{} {:<62} | {:<62}\n", equal ? ' ' : '*', has_l ? line(live[i]) : blank,
                           has_b ? line(backtest[i]) : blank);
  }
  for (const auto& t : live) c.live_net_cents += t.net_cents;
  for (const auto& t : backtest) c.backtest_net_cents += t.net_cents;
  c.table += fmt::format("  {} trades, net {:+.2f} USD {:>29}| {} trades, net {:+.2f} USD\n", live.size(),
                         static_cast<double>(c.live_net_cents) / 100.0, "", backtest.size(),
                         static_cast<double>(c.backtest_net_cents) / 100.0);
  return c;
}

}  // namespace daytrader::live
