#pragma once
// How predictable a tick market is: what a minute's order flow says about the next minutes' price,
// measured from the trade records alone (no hidden state, no bar builders). `daytrader generate
// --stats` prints it for the file it wrote, so the figures in docs/synthetic-market.md can be
// regenerated rather than go stale; the tests use it to check the signal_strength setting.
//
// Definitions (docs/synthetic-market.md, "Predictive power of order flow"):
// - Records are bucketed into 1-minute bars (exchange minutes); a minute without trades has no bar.
//   A bar's imbalance is (ask volume - bid volume) / volume: its delta over its volume.
// - The price after minute k, P(k), is the mid of the bid and ask carried by the first trade
//   record at or after the start of minute k + 1, in the same session: the quote the next order
//   meets, which reflects every order of minute k. (A bar's close, its last trade, is not used: it
//   sits at the bid or the ask by its own side and printed before its own impact, two biases of a
//   fraction of a tick tied to the bar's order flow that would show even in a market where the
//   flow predicts nothing.)
// - The forward return of bar t at horizon h is P(t + h) - P(t), in ticks.
// - An RTH figure uses the bars t that start in 08:30-15:00 exchange time; forward returns may
//   end after 15:00 but never cross into the next session.
// - Standard errors are delete-one-session jackknife estimates: they allow for overlapping forward
//   returns and for any dependence inside a session. They need two sessions (NaN otherwise).

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/instrument.h"
#include "core/session_calendar.h"
#include "scid/scid_format.h"

namespace daytrader::gen {

// A figure, its standard error and the observations behind it (minutes or trades).
struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t n = 0;
};

// Pearson correlation of a minute's imbalance with its forward return at `horizon` minutes.
struct ImbalanceCorrelation {
  int horizon = 0;
  bool rth_only = false;
  Estimate r;
};

// A fixed trading rule on 1-minute closes in RTH: decide at a close, enter at the next minute's
// first print, exit at a `bracket_ticks` target or stop (or the session's last print), one
// position at a time. Per-trade figures are in ticks.
struct RuleResult {
  Estimate gross_ticks;  // before costs
  Estimate net_ticks;    // after cost_ticks a trade
  double win_rate = std::numeric_limits<double>::quiet_NaN();  // share of trades with net > 0
};

struct PredictabilityOptions {
  core::Instrument instrument = core::Instrument::es();
  int bracket_ticks = 10;
  double slippage_ticks = 1.0;          // per round trip
  double commission_cents = 450.0;      // per round trip ($2.25 a side)
  double follow_threshold = 0.35;       // |3-minute imbalance| beyond this: follow it
  std::uint64_t random_seed = 99;       // the coin of the random-entry baseline
};

struct PredictabilityStats {
  int sessions = 0;
  std::uint64_t minutes = 0;      // minutes with trades
  std::uint64_t rth_minutes = 0;
  // All minutes h = 1, 5; RTH h = 1, 3, 5, 10, in this order.
  std::vector<ImbalanceCorrelation> imbalance;
  // RTH: the return of bar t, P(t) - P(t - 1), against its forward return at h = 5: the price
  // path alone, for comparison.
  Estimate past_return;
  Estimate next_minute_mean;      // mean forward return at h = 1, all bars, ticks
  double next_minute_sd = std::numeric_limits<double>::quiet_NaN();      // ticks, all minutes
  double rth_next_minute_sd = std::numeric_limits<double>::quiet_NaN();  // ticks, RTH minutes
  double cost_ticks = 0;          // slippage + commission, ticks a round trip
  RuleResult follow;              // follow the last three minutes' imbalance beyond the threshold
  RuleResult random;              // a coin at every decision point

  // The figure for one (horizon, rth_only), or an empty Estimate.
  [[nodiscard]] Estimate correlation(int horizon, bool rth_only) const;
};

// Measures `records` (a SCID file's records in time order; records without volume are skipped).
[[nodiscard]] PredictabilityStats measure_predictability(
    std::span<const scid::Record> records, const PredictabilityOptions& options = {},
    const core::SessionCalendar& calendar = core::SessionCalendar::cme_globex());

// The figures as the text `daytrader generate --stats` prints, one per line.
[[nodiscard]] std::string format_predictability(const PredictabilityStats& stats,
                                                const PredictabilityOptions& options = {});

}  // namespace daytrader::gen
