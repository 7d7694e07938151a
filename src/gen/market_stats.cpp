#include "gen/market_stats.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/timestamp.h"
#include "gen/activity_profile.h"
#include "gen/random.h"

namespace daytrader::gen {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kNsPerMinute = 60'000'000'000LL;

struct Minute {
  std::int64_t index = 0;      // minutes since the Unix epoch
  std::size_t session = 0;
  int local_minute = 0;        // exchange time, minutes after midnight
  double ask_volume = 0, bid_volume = 0, volume = 0;
  std::size_t first_print = 0;
  double open_mid = 0;         // ticks: the quote of the minute's first record
};

struct Market {
  std::vector<std::int64_t> prices;      // ticks, one per trade record
  std::vector<Minute> minutes;
  std::vector<std::size_t> session_end;  // one past the last print of each session
};

bool in_rth(int local_minute) { return local_minute >= kRthOpenMinute && local_minute < kRthCloseMinute; }

Market bucket(std::span<const scid::Record> records, const PredictabilityOptions& o,
              const core::SessionCalendar& calendar) {
  Market m;
  m.prices.reserve(records.size());
  date::sys_days trade_date{};
  for (const scid::Record& r : records) {
    if (r.total_volume == 0) continue;
    const auto ts = scid::decode_time(r.date_time);
    if (!ts) continue;
    core::Ticks price;
    (void)o.instrument.try_to_ticks(static_cast<double>(r.close), price);  // nearest tick
    const std::int64_t index = core::to_unix_ns(*ts) / kNsPerMinute;
    if (m.minutes.empty() || m.minutes.back().index != index) {
      // Sessions start on whole minutes, so a minute belongs to one session.
      const date::sys_days date = calendar.trade_date(*ts);
      if (m.minutes.empty() || date != trade_date) {
        if (!m.minutes.empty()) m.session_end.push_back(m.prices.size());
        trade_date = date;
      }
      Minute b;
      b.index = index;
      b.session = m.session_end.size();
      const auto local = calendar.to_local(*ts);
      b.local_minute = static_cast<int>(
          std::chrono::duration_cast<std::chrono::minutes>(local - date::floor<date::days>(local)).count());
      b.first_print = m.prices.size();
      core::Ticks bid, ask;  // High and Low carry the quote when the trade printed
      (void)o.instrument.try_to_ticks(static_cast<double>(r.low), bid);
      (void)o.instrument.try_to_ticks(static_cast<double>(r.high), ask);
      b.open_mid = 0.5 * static_cast<double>(bid.count() + ask.count());
      m.minutes.push_back(b);
    }
    Minute& b = m.minutes.back();
    b.ask_volume += r.ask_volume;
    b.bid_volume += r.bid_volume;
    b.volume += r.total_volume;
    m.prices.push_back(price.count());
  }
  if (!m.minutes.empty()) m.session_end.push_back(m.prices.size());
  return m;
}

// The quote after minute `index` ends: the mid of the first record at or after the start of
// minute index + 1, searching forward from minutes[from], in the same session; NaN if none.
double quote_after(const std::vector<Minute>& minutes, std::size_t from, std::int64_t index) {
  const auto it = std::lower_bound(minutes.begin() + static_cast<std::ptrdiff_t>(from), minutes.end(), index + 1,
                                   [](const Minute& m, std::int64_t i) { return m.index < i; });
  if (it == minutes.end() || it->session != minutes[from].session) return kNaN;
  return it->open_mid;
}

// Sums of one session, and the pooled figure with its delete-one-session jackknife error.
struct PairSums {
  double n = 0, x = 0, y = 0, xx = 0, yy = 0, xy = 0;
  void add(double a, double b) {
    n += 1, x += a, y += b, xx += a * a, yy += b * b, xy += a * b;
  }
  PairSums& operator+=(const PairSums& o) {
    n += o.n, x += o.x, y += o.y, xx += o.xx, yy += o.yy, xy += o.xy;
    return *this;
  }
  PairSums operator-(const PairSums& o) const {
    return {n - o.n, x - o.x, y - o.y, xx - o.xx, yy - o.yy, xy - o.xy};
  }
  [[nodiscard]] double correlation() const {
    if (n < 3) return kNaN;
    const double sxx = xx - x * x / n, syy = yy - y * y / n, sxy = xy - x * y / n;
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
  }
  [[nodiscard]] double mean_y() const { return n > 0 ? y / n : kNaN; }
};

// theta over all groups, and sqrt((G-1)/G * sum (theta_-i - mean)^2) over the G non-empty groups.
template <typename Stat>
Estimate jackknife(const std::vector<PairSums>& groups, Stat stat) {
  PairSums total;
  for (const PairSums& g : groups) total += g;
  Estimate e;
  e.value = stat(total);
  e.n = static_cast<std::uint64_t>(total.n);
  std::vector<double> leave_out;
  for (const PairSums& g : groups)
    if (g.n > 0) leave_out.push_back(stat(total - g));
  const auto groups_used = static_cast<double>(leave_out.size());
  if (leave_out.size() < 2) return e;
  double mean = 0;
  for (double v : leave_out) mean += v;
  mean /= groups_used;
  double ss = 0;
  for (double v : leave_out) ss += (v - mean) * (v - mean);
  e.se = std::sqrt((groups_used - 1.0) / groups_used * ss);
  return e;
}

Estimate correlation_of(const std::vector<PairSums>& groups) {
  return jackknife(groups, [](const PairSums& s) { return s.correlation(); });
}

// Per-trade results: x = gross ticks, y = net ticks; mean_y is net per trade.
template <typename Decide>
RuleResult trade_rule(const Market& m, const PredictabilityOptions& o, double cost, int sessions, Decide decide) {
  const std::int64_t bracket = o.bracket_ticks;
  std::vector<PairSums> groups(static_cast<std::size_t>(sessions));
  std::uint64_t wins = 0;
  std::int64_t flat_from_minute = std::numeric_limits<std::int64_t>::min();
  const auto& mins = m.minutes;
  for (std::size_t i = 0; i + 1 < mins.size(); ++i) {
    const Minute& b = mins[i];
    if (!in_rth(b.local_minute) || mins[i + 1].session != b.session || mins[i + 1].index <= flat_from_minute)
      continue;
    const int side = decide(i);
    if (side == 0) continue;
    const std::size_t entry_at = mins[i + 1].first_print;
    const std::size_t end = m.session_end[b.session];
    const std::int64_t entry = m.prices[entry_at];
    std::size_t j = entry_at + 1;
    for (; j < end; ++j) {
      const std::int64_t move = (m.prices[j] - entry) * side;
      if (move >= bracket || move <= -bracket) break;
    }
    if (j == end) --j;  // the session's last print
    const std::int64_t gross = std::clamp((m.prices[j] - entry) * side, -bracket, bracket);
    const double net = static_cast<double>(gross) - cost;
    groups[b.session].add(static_cast<double>(gross), net);
    wins += net > 0;
    // The next decision comes after the exit's minute (its first print is at or after the exit).
    std::size_t exit_minute = i + 1;
    while (exit_minute + 1 < mins.size() && mins[exit_minute + 1].first_print <= j) ++exit_minute;
    flat_from_minute = mins[exit_minute].index;
  }
  RuleResult r;
  r.gross_ticks = jackknife(groups, [](const PairSums& s) { return s.n > 0 ? s.x / s.n : kNaN; });
  r.net_ticks = jackknife(groups, [](const PairSums& s) { return s.mean_y(); });
  if (r.net_ticks.n > 0) r.win_rate = static_cast<double>(wins) / static_cast<double>(r.net_ticks.n);
  return r;
}

std::string fmt_estimate(const Estimate& e, int decimals, bool sign) {
  if (!std::isfinite(e.value)) return "n/a";
  // No "-0.000": a value that rounds to zero prints as zero.
  const double x = std::fabs(e.value) < 0.5 * std::pow(10.0, -decimals) ? 0.0 : e.value;
  const std::string v = sign ? fmt::format("{:+.{}f}", x, decimals) : fmt::format("{:.{}f}", x, decimals);
  if (!std::isfinite(e.se)) return v + " ± n/a";
  return fmt::format("{} ± {:.{}f}", v, e.se, decimals);
}

}  // namespace

Estimate PredictabilityStats::correlation(int horizon, bool rth_only) const {
  for (const ImbalanceCorrelation& c : imbalance)
    if (c.horizon == horizon && c.rth_only == rth_only) return c.r;
  return {};
}

PredictabilityStats measure_predictability(std::span<const scid::Record> records, const PredictabilityOptions& o,
                                           const core::SessionCalendar& calendar) {
  const Market m = bucket(records, o, calendar);
  const auto& mins = m.minutes;
  PredictabilityStats s;
  s.sessions = static_cast<int>(m.session_end.size());
  s.minutes = mins.size();
  for (const Minute& b : mins) s.rth_minutes += in_rth(b.local_minute);
  const auto sessions = static_cast<std::size_t>(s.sessions);

  struct Spec {
    int h;
    bool rth;
  };
  for (const Spec spec : {Spec{1, false}, Spec{5, false}, Spec{1, true}, Spec{3, true}, Spec{5, true}, Spec{10, true}}) {
    std::vector<PairSums> groups(sessions);
    for (std::size_t i = 0; i < mins.size(); ++i) {
      const Minute& b = mins[i];
      if (spec.rth && !in_rth(b.local_minute)) continue;
      const double now = quote_after(mins, i, b.index);
      const double later = quote_after(mins, i, b.index + spec.h);
      if (std::isnan(now) || std::isnan(later)) continue;
      groups[b.session].add((b.ask_volume - b.bid_volume) / b.volume, later - now);
    }
    s.imbalance.push_back({spec.h, spec.rth, correlation_of(groups)});
    if (spec.h == 1) {
      PairSums total;
      for (const PairSums& g : groups) total += g;
      const double sd = total.n > 1 ? std::sqrt(std::max(0.0, (total.yy - total.y * total.y / total.n) / (total.n - 1)))
                                    : kNaN;
      if (spec.rth) {
        s.rth_next_minute_sd = sd;
      } else {
        s.next_minute_sd = sd;
        s.next_minute_mean = jackknife(groups, [](const PairSums& g) { return g.mean_y(); });
      }
    }
  }

  {
    // The price path alone: the return of minute t, quote after t minus quote after t - 1 (the
    // quote of minute t's first record), against the next five minutes'.
    std::vector<PairSums> groups(sessions);
    for (std::size_t i = 0; i < mins.size(); ++i) {
      const Minute& b = mins[i];
      if (!in_rth(b.local_minute)) continue;
      const double now = quote_after(mins, i, b.index);
      const double later = quote_after(mins, i, b.index + 5);
      if (std::isnan(now) || std::isnan(later)) continue;
      groups[b.session].add(now - b.open_mid, later - now);
    }
    s.past_return = correlation_of(groups);
  }

  s.cost_ticks = o.slippage_ticks + o.commission_cents / static_cast<double>(o.instrument.tick_value_cents);
  s.follow = trade_rule(m, o, s.cost_ticks, s.sessions, [&](std::size_t i) {
    if (i < 2 || mins[i - 2].session != mins[i].session) return 0;
    const double ask = mins[i].ask_volume + mins[i - 1].ask_volume + mins[i - 2].ask_volume;
    const double bid = mins[i].bid_volume + mins[i - 1].bid_volume + mins[i - 2].bid_volume;
    const double imbalance = (ask - bid) / (ask + bid);
    return imbalance > o.follow_threshold ? 1 : imbalance < -o.follow_threshold ? -1 : 0;
  });
  Rng coin(o.random_seed);
  s.random = trade_rule(m, o, s.cost_ticks, s.sessions, [&](std::size_t) { return coin.bernoulli(0.5) ? 1 : -1; });
  return s;
}

std::string format_predictability(const PredictabilityStats& s, const PredictabilityOptions& o) {
  std::string out;
  auto line = [&](const std::string& text) { out += text + "\n"; };
  line(fmt::format("Predictability: {} sessions, {} minutes with trades ({} in RTH 08:30-15:00); "
                   "± is one standard error (jackknife over sessions)",
                   s.sessions, s.minutes, s.rth_minutes));
  line("  imbalance (ask - bid) / volume of minute t vs the return to h minutes later, quote mid to quote mid:");
  for (const ImbalanceCorrelation& c : s.imbalance)
    line(fmt::format("    {:<12} h={:<3} r = {:<16} ({} minutes)", c.rth_only ? "RTH" : "all minutes", c.horizon,
                     fmt_estimate(c.r, 3, false), c.r.n));
  line(fmt::format("  past 1-minute return vs the next 5 minutes' (RTH): r = {} ({} minutes)",
                   fmt_estimate(s.past_return, 3, false), s.past_return.n));
  line(fmt::format("  next-minute return: mean {} ticks, sd {:.2f} ticks (RTH {:.2f})",
                   fmt_estimate(s.next_minute_mean, 3, true), s.next_minute_sd, s.rth_next_minute_sd));
  line(fmt::format("  {}-tick bracket in RTH, entry at the next minute's first print, {:.2f} ticks of cost a trade:",
                   o.bracket_ticks, s.cost_ticks));
  auto rule = [&](const char* name, const RuleResult& r) {
    line(fmt::format("    {:<34} {:>6} trades, win {:>5.1f} %, gross {} net {} ticks/trade", name, r.net_ticks.n,
                     std::isfinite(r.win_rate) ? 100.0 * r.win_rate : 0.0, fmt_estimate(r.gross_ticks, 2, true),
                     fmt_estimate(r.net_ticks, 2, true)));
  };
  rule(fmt::format("follow 3-minute imbalance > {:.2f}", o.follow_threshold).c_str(), s.follow);
  rule("random side", s.random);
  return out;
}

}  // namespace daytrader::gen
