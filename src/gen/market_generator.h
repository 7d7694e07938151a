#pragma once
// A deterministic synthetic ES tick market, written as Sierra Chart tick records.
//
// Sessions follow the CME Globex calendar (17:00-16:00 Central, trade dates Monday to Friday,
// UTC through the tz database). Orders arrive with an intraday U-shaped rate; each one hits the
// bid or lifts the ask of a moving 1-tick (sometimes 2-tick) quote and prints one record per
// fill. A hidden, persistent "informed flow" state tilts the side of orders, and the fair price
// follows order-flow imbalance with a lag, so imbalance has short-horizon predictive power
// (GeneratorConfig::signal_strength scales it; at 0 the same orders predict nothing).
// The model and every parameter are described in docs/synthetic-market.md.

#include <cstdint>
#include <functional>
#include <vector>

#include <date/date.h>

#include "core/result.h"
#include "core/session_calendar.h"
#include "core/ticks.h"
#include "core/timestamp.h"
#include "gen/generator_config.h"
#include "gen/random.h"
#include "scid/scid_format.h"
#include "scid/writer.h"

namespace daytrader::gen {

struct SessionSummary {
  date::sys_days trade_date;
  core::Timestamp open;               // session open (UTC), 17:00 CT the evening before
  core::Timestamp close;              // session close (UTC), 16:00 CT on the trade date
  std::uint64_t orders = 0;           // aggressive orders
  std::uint64_t trades = 0;           // records written (fills)
  std::uint64_t volume = 0;           // contracts
  std::uint64_t ask_volume = 0;       // bought at the ask (buyer-initiated)
  std::uint64_t bid_volume = 0;       // sold at the bid (seller-initiated)
  std::uint64_t rth_volume = 0;       // contracts traded 08:30-15:00 CT
  std::uint64_t sweeps = 0;           // orders that took more than one price level
  std::uint32_t largest_order = 0;    // contracts
  core::Ticks open_price;             // first trade
  core::Ticks high;
  core::Ticks low;
  core::Ticks close_price;            // last trade
};

struct GeneratorSummary {
  int sessions = 0;
  std::uint64_t orders = 0;
  std::uint64_t trades = 0;
  std::uint64_t volume = 0;
  std::vector<SessionSummary> per_session;
};

// Generates one session after another; the state (prices, hidden flow) carries over.
class MarketGenerator {
 public:
  // Fails when validate(config) fails.
  [[nodiscard]] static core::Result<MarketGenerator> create(const GeneratorConfig& config);

  [[nodiscard]] const GeneratorConfig& config() const noexcept { return config_; }
  // Sessions generated so far, and whether all `config.sessions` are done.
  [[nodiscard]] int sessions_done() const noexcept { return session_index_; }
  [[nodiscard]] bool done() const noexcept { return session_index_ >= config_.sessions; }
  // The trade date of the next session.
  [[nodiscard]] date::sys_days next_trade_date() const noexcept { return trade_date_; }

  // Appends the next session's records to `out` (strictly increasing DateTime).
  // Precondition: !done().
  SessionSummary next_session(std::vector<scid::Record>& out);

  // Expected contracts per order under the size distribution (used to scale price impact).
  [[nodiscard]] double mean_order_size() const noexcept { return mean_order_size_; }

 private:
  explicit MarketGenerator(const GeneratorConfig& config);

  // Brownian noise of the fair price over dt seconds.
  void advance(double dt_seconds, double sigma_per_sqrt_second, Rng& rng);
  void update_quote();
  std::uint32_t sample_order_size(Rng& rng);
  std::uint32_t sample_resting_size(Rng& rng);
  std::uint32_t sample_depth(double mean_depth, Rng& rng);
  static std::uint32_t min_depth(double mean_depth);
  void emit(std::int64_t ms_us, core::Ticks price, core::Ticks bid, core::Ticks ask,
            std::uint32_t size, bool buy, bool in_rth, std::vector<scid::Record>& out,
            SessionSummary& summary);
  void process_order(std::int64_t ms_us, bool in_rth, double mean_depth, std::uint32_t depth_floor, Rng& rng,
                     std::vector<scid::Record>& out, SessionSummary& summary);

  GeneratorConfig config_;
  const core::SessionCalendar* calendar_;
  double mean_order_size_ = 0;
  double impact_per_contract_ticks_ = 0;
  // signal_strength applied (generator_config.h): the shares of an order's impact that move the
  // fair price at once and later, and the weight of a sweep's move to the new mid.
  double immediate_fraction_ = 0;
  double delayed_fraction_ = 0;
  double sweep_weight_ = 1;
  double log_resting_q_ = 0;          // log of the geometric ratio of resting sizes (0: all 1-lots)

  int session_index_ = 0;
  date::sys_days trade_date_;
  std::int64_t last_us_ = 0;          // SCID DateTime of the last record written

  // Market state, carried across sessions.
  double fair_ = 0;                   // fair mid price in ticks (continuous)
  double pending_impact_ = 0;         // impact not yet in the fair price (ticks)
  double impact_scale_ = 1.0;         // impact multiplier of the current book (1 in RTH)
  double informed_ = 0;               // hidden tilt of P(buy)
  double log_activity_ = 0;           // OU state of the activity multiplier
  double day_bias_ = 0;               // per-session mean of the informed tilt
  std::int64_t bid_ = 0;              // best bid in ticks
  bool wide_ = false;                 // spread is 2 ticks
  bool quote_wide_ = false;           // the quote in bid_ was set for a 2-tick spread
};

// Generates config.sessions sessions into `writer` and flushes it after each one. `progress` is
// called after each session with (sessions done, total). Fails on an invalid config, on a write
// error, or when the writer already holds records at or after the first session's open.
[[nodiscard]] core::Result<GeneratorSummary> generate(
    const GeneratorConfig& config, scid::Writer& writer,
    const std::function<void(int session, int total)>& progress = {});

}  // namespace daytrader::gen
