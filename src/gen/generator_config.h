#pragma once
// Every parameter of the synthetic ES market, with its default. docs/synthetic-market.md explains
// the model; the comments here say what each number means and in which unit.
//
// Times of day are US Central wall-clock times (America/Chicago). "Activity" numbers are relative
// weights of the order arrival rate per minute; only their ratios matter, because the profile is
// normalised so that a session holds `orders_per_session` aggressive orders on average.

#include <cstdint>

#include <date/date.h>

#include "core/result.h"

namespace daytrader::gen {

struct GeneratorConfig {
  // --- Calendar, seed and scale ----------------------------------------------------------------
  int sessions = 20;               // CME trade dates to generate (Mon-Fri, consecutive)
  std::uint64_t seed = 1;          // same seed and config -> byte-identical output
  // The first trade date, a weekday. 2024-02-26 is a Monday; 20 sessions run to 2024-03-22 and
  // straddle the US switch to daylight saving time on Sunday 2024-03-10.
  date::sys_days first_trade_date = date::sys_days(date::year{2024} / 2 / 26);
  double start_price = 5000.0;     // index points, on the 0.25 grid
  // Expected aggressive (market) orders per full session. Each order prints one or more records
  // (fills): the default gives about 145 k records and 320 k contracts a session, roughly a fifth
  // of real ES (1.5-2 M contracts a day), which keeps 20 sessions to about a second or two.
  // Price dynamics are normalised to this number, so a smaller value gives the same kind of
  // market with fewer, noisier prints.
  double orders_per_session = 100'000;

  // --- Intraday activity profile (relative order rate per minute, CT) -------------------------
  double globex_open_activity = 0.35;     // at the 17:00 reopen, decaying to overnight in ~30 min
  double globex_open_decay_minutes = 30;  // e-folding time of that reopen burst
  double overnight_activity = 0.10;       // 18:00-02:00 (Asia)
  double europe_activity = 0.22;          // 02:00-07:00 (Europe open at 02:00, ramps over 30 min)
  double premarket_activity = 0.40;       // 07:00-08:30 (US pre-market)
  double econ_release_spike = 1.5;        // added at 07:30 (US economic releases), decays ...
  double econ_release_decay_minutes = 5;  // ... with this e-folding time
  double rth_midday_activity = 1.0;       // RTH 08:30-15:00 baseline (the bottom of the U)
  double rth_open_spike = 3.5;            // added at the 08:30 open, decays ...
  double rth_open_decay_minutes = 25;     // ... with this e-folding time
  double rth_close_spike = 2.5;           // added at 15:00, rising into the close ...
  double rth_close_rise_minutes = 15;     // ... with this e-folding time (counted backwards)
  double post_close_activity = 0.30;      // 15:00-16:00 (after the cash close)
  // Stochastic activity: a log-normal multiplier on the rate, mean 1, that wanders (OU process).
  double activity_sd = 0.30;              // stationary sd of the log multiplier
  double activity_half_life_minutes = 10;
  double day_activity_sd = 0.20;          // sd of a per-session log multiplier (busy/quiet days)

  // --- Order sizes (contracts) -----------------------------------------------------------------
  double single_lot_probability = 0.35;   // share of 1-lot orders
  double size_pareto_alpha = 1.35;        // the rest: ceil(Pareto(x_min = 1, alpha)), heavy tail
  int max_order_size = 2000;              // cap of one order

  // --- Fills and the book ----------------------------------------------------------------------
  // CME reports one fill per resting order hit; Sierra's feed stores them unbundled, the first
  // marked FIRST_SUB_TRADE and the last LAST_SUB_TRADE in the Open field.
  bool unbundle_fills = true;             // false: one record per order and price level
  // Resting order sizes: geometric on {1, 2, ...} with this mean, except that a share of them are
  // large (ceil(Pareto(large_resting_min_size, large_resting_alpha)), e.g. institutional or
  // iceberg orders), so that big aggressive orders also print occasional 100+ lot fills.
  double resting_order_mean_size = 4.0;
  double large_resting_probability = 0.08;
  double large_resting_min_size = 10;
  double large_resting_alpha = 1.1;
  // Contracts resting at the best price; an order larger than that sweeps to further levels.
  // Each level holds depth * (0.3 + 0.7 * Exp(1)) contracts.
  double book_depth_rth = 250;            // mean depth in RTH
  double book_depth_overnight = 60;       // mean depth outside RTH
  int max_sweep_levels = 6;               // a sweep stops after this many price levels

  // --- Quotes ----------------------------------------------------------------------------------
  double wide_spread_fraction = 0.015;    // share of time the spread is 2 ticks instead of 1
  double wide_spread_mean_seconds = 2.0;  // mean length of a 2-tick episode (>= 1, checked each second)
  // The quote re-centres on the fair price only when it leaves the spread by more than this, so
  // bid/ask do not flicker on every tiny fair-price move (ES queues are deep and sticky).
  double quote_hysteresis_ticks = 0.25;

  // --- Price dynamics --------------------------------------------------------------------------
  // Uninformed volatility: Brownian noise in the fair price whose variance per minute follows
  // activity^volatility_activity_exponent, scaled so that one full session has this sd.
  double daily_noise_points = 25.0;
  double volatility_activity_exponent = 0.8;
  double day_volatility_sd = 0.25;        // sd of a per-session log multiplier of the noise
  // Informed flow: a hidden OU state x added to the probability that an order buys,
  // P(buy) = clamp(0.5 + x, 0.03, 0.97). It persists for minutes, so order-flow imbalance now
  // predicts imbalance, and with it price impact, over the next minutes.
  double informed_tilt_sd = 0.13;         // stationary sd of x
  double informed_half_life_minutes = 6;
  double day_flow_bias_sd = 0.02;         // x reverts to a per-session mean drawn with this sd
  // Price impact (Kyle's lambda): net aggressive volume equal to 1 % of the expected session
  // volume moves the fair price by this many ticks in total ...
  double impact_ticks_per_percent = 18.0;
  double immediate_impact_fraction = 0.25;  // ... this share at once ...
  double impact_lag_minutes = 2.0;          // ... the rest released with this e-folding time
  // Outside RTH the book is thinner and each contract moves the price more: the impact is
  // multiplied by (book_depth_rth / book_depth_overnight)^impact_depth_exponent (2.0 by default).
  double impact_depth_exponent = 0.5;
  // How much the order flow predicts future prices: 1 is the market above (the default, byte for
  // byte), 0 a null market, values between interpolate, up to kMaxSignalStrength. The orders
  // themselves (times, sides, sizes, fills) are the same at every strength; only the price's
  // response to them changes. Each order moves the price by its surprise, side minus the side
  // expected from the hidden tilt (2 P(buy) - 1), plus signal_strength times that expected side;
  // the delayed share of the impact is signal_strength * (1 - immediate_impact_fraction) (at most
  // 1); and a sweep moves the fair price min(signal_strength, 1) of the way to the new mid. At 0
  // every order's impact is immediate and has mean zero given everything before it, so the fair
  // price is a martingale: nothing in past order flow (or prices) predicts its future moves.
  double signal_strength = 1.0;
  // Gaps between one session's close and the next session's open (fair price, points).
  double session_gap_points = 1.0;        // sd across the daily 16:00-17:00 halt
  double weekend_gap_points = 5.0;        // sd across a weekend
};

// The largest signal_strength validate() accepts.
inline constexpr double kMaxSignalStrength = 2.0;

// Checks every parameter; the error names the field, its value and the expected range.
[[nodiscard]] core::Status validate(const GeneratorConfig& config);

}  // namespace daytrader::gen
