#include "gen/market_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/assert.h"
#include "core/instrument.h"
#include "gen/activity_profile.h"

namespace daytrader::gen {

namespace {

constexpr double kLn2 = 0.69314718055994530942;
constexpr double kTicksPerPoint = 4.0;
constexpr double kMinFairTicks = 4.0;       // the fair price never goes below 1 point
constexpr double kMinBuyProbability = 0.03;
constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kUsPerMs = 1'000;
constexpr double kMinDepthShare = 0.3;      // a level holds depth * (0.3 + 0.7 Exp(1)) contracts

// AR(1) coefficient of an OU process sampled every `step_seconds` with the given half-life.
double ar_coefficient(double half_life_minutes, double step_seconds) {
  return det_exp(-kLn2 * step_seconds / (half_life_minutes * 60.0));
}

double pow_pos(double x, double y) { return x <= 0.0 ? 0.0 : det_exp(y * det_log(x)); }

float to_price(core::Ticks t) { return static_cast<float>(static_cast<double>(t.count()) * 0.25); }

}  // namespace

core::Result<MarketGenerator> MarketGenerator::create(const GeneratorConfig& config) {
  if (auto s = validate(config); !s) return s.error();
  return MarketGenerator(config);
}

MarketGenerator::MarketGenerator(const GeneratorConfig& config)
    : config_(config), calendar_(&core::SessionCalendar::cme_globex()), trade_date_(config.first_trade_date) {
  // E[size] = P(1-lot) + P(Pareto) * sum_{k >= 0} P(ceil(X) > k), X ~ Pareto(1, alpha), capped.
  double pareto_mean = 1.0;  // the k = 0 term
  for (int k = 1; k < config_.max_order_size; ++k) pareto_mean += pow_pos(k, -config_.size_pareto_alpha);
  mean_order_size_ = config_.single_lot_probability + (1.0 - config_.single_lot_probability) * pareto_mean;
  const double percent_volume = 0.01 * config_.orders_per_session * mean_order_size_;
  impact_per_contract_ticks_ = config_.impact_ticks_per_percent / percent_volume;
  // At signal_strength 1 these are exactly immediate_impact_fraction, 1 - it and 1 (the
  // expressions reduce without rounding), so the default market is unchanged byte for byte.
  const double s = config_.signal_strength;
  const double imm = config_.immediate_impact_fraction;
  delayed_fraction_ = s * (1.0 - imm);
  immediate_fraction_ = imm + (1.0 - s) * (1.0 - imm);
  if (delayed_fraction_ >= 1.0) {
    delayed_fraction_ = 1.0;
    immediate_fraction_ = 0.0;
  }
  sweep_weight_ = std::min(s, 1.0);
  const double q = 1.0 - 1.0 / config_.resting_order_mean_size;  // geometric: P(size > k) = q^k
  log_resting_q_ = q > 0.0 ? det_log(q) : 0.0;

  core::Ticks start;
  const bool on_grid = core::Instrument::es().try_to_ticks(config_.start_price, start);
  DT_ASSERT(on_grid, "validate() checked the start price");
  fair_ = static_cast<double>(start.count()) + 0.5;
  bid_ = start.count();

  // Hidden states start from their stationary distributions.
  Rng rng(derive_seed(config_.seed, 0xFFFF'FFFFull));
  day_bias_ = 0.0;
  informed_ = config_.informed_tilt_sd * rng.normal();
  log_activity_ = config_.activity_sd * rng.normal();
}

void MarketGenerator::advance(double dt, double sigma, Rng& rng) {
  if (dt <= 0.0) return;
  fair_ += sigma * std::sqrt(dt) * rng.normal();
  if (fair_ < kMinFairTicks) fair_ = kMinFairTicks;
}

void MarketGenerator::update_quote() {
  const double h = config_.quote_hysteresis_ticks;
  if (wide_) {
    // Bid and ask one tick either side of a centre on the tick grid.
    const double centre = static_cast<double>(bid_ + 1);
    if (!quote_wide_ || fair_ < centre - 0.5 - h || fair_ > centre + 0.5 + h)
      bid_ = static_cast<std::int64_t>(std::floor(fair_ + 0.5)) - 1;
  } else {
    // The fair price lies inside [bid, bid + 1]; re-centre once it leaves by more than h.
    const double b = static_cast<double>(bid_);
    if (quote_wide_ || fair_ < b - h || fair_ > b + 1.0 + h)
      bid_ = static_cast<std::int64_t>(std::floor(fair_));
  }
  quote_wide_ = wide_;
  if (bid_ < 1) bid_ = 1;
}

std::uint32_t MarketGenerator::sample_order_size(Rng& rng) {
  if (rng.bernoulli(config_.single_lot_probability)) return 1;
  const double x = det_exp(-det_log(rng.uniform_pos()) / config_.size_pareto_alpha);  // Pareto(1, a)
  const double cap = static_cast<double>(config_.max_order_size);
  const double s = x >= cap ? cap : std::ceil(x);
  return static_cast<std::uint32_t>(s < 1.0 ? 1.0 : s);
}

std::uint32_t MarketGenerator::sample_resting_size(Rng& rng) {
  const double u = rng.uniform_pos();
  if (rng.bernoulli(config_.large_resting_probability)) {
    const double x = config_.large_resting_min_size * det_exp(-det_log(u) / config_.large_resting_alpha);
    return static_cast<std::uint32_t>(std::min(std::ceil(x), 1e6));
  }
  // Geometric on {1, 2, ...} with the configured mean.
  if (log_resting_q_ >= 0.0) return 1;
  const double extra = std::floor(det_log(u) / log_resting_q_);
  return 1 + static_cast<std::uint32_t>(std::min(extra, 1e6));
}

std::uint32_t MarketGenerator::sample_depth(double mean_depth, Rng& rng) {
  const double d = std::ceil(mean_depth * (kMinDepthShare + (1.0 - kMinDepthShare) * rng.exponential()));
  return static_cast<std::uint32_t>(std::clamp(d, 1.0, 1e9));
}

std::uint32_t MarketGenerator::min_depth(double mean_depth) {
  return static_cast<std::uint32_t>(std::clamp(std::ceil(mean_depth * kMinDepthShare), 1.0, 1e9));
}

void MarketGenerator::emit(std::int64_t ms_us, core::Ticks price, core::Ticks bid, core::Ticks ask,
                           std::uint32_t size, bool buy, bool in_rth, std::vector<scid::Record>& out,
                           SessionSummary& summary) {
  // Sierra keeps exchange milliseconds and counts records within a millisecond in the
  // microsecond digits, so every record has a unique, increasing DateTime.
  const std::int64_t t = ms_us > last_us_ ? ms_us : last_us_ + 1;
  last_us_ = t;
  scid::Record r;
  r.date_time = t;
  r.open = 0.0F;
  r.high = to_price(ask);
  r.low = to_price(bid);
  r.close = to_price(price);
  r.num_trades = 1;
  r.total_volume = size;
  r.bid_volume = buy ? 0 : size;
  r.ask_volume = buy ? size : 0;
  out.push_back(r);

  if (summary.trades == 0) {
    summary.open_price = summary.high = summary.low = price;
  }
  summary.high = std::max(summary.high, price);
  summary.low = std::min(summary.low, price);
  summary.close_price = price;
  ++summary.trades;
  summary.volume += size;
  (buy ? summary.ask_volume : summary.bid_volume) += size;
  if (in_rth) summary.rth_volume += size;
}

void MarketGenerator::process_order(std::int64_t ms_us, bool in_rth, double mean_depth, std::uint32_t depth_floor,
                                    Rng& rng, std::vector<scid::Record>& out, SessionSummary& summary) {
  update_quote();
  const double p_buy = std::clamp(0.5 + informed_, kMinBuyProbability, 1.0 - kMinBuyProbability);
  const bool buy = rng.bernoulli(p_buy);
  const std::uint32_t size = sample_order_size(rng);
  const std::int64_t step = buy ? 1 : -1;

  core::Ticks bid(bid_);
  core::Ticks ask(bid_ + (wide_ ? 2 : 1));
  core::Ticks price = buy ? ask : bid;
  const std::size_t first_record = out.size();
  std::uint32_t remaining = size;
  int level = 0;
  while (remaining > 0) {
    const bool last_level = level + 1 >= config_.max_sweep_levels;
    // A level holds at least min_depth contracts, so a smaller remainder needs no depth draw.
    std::uint32_t take = remaining;
    if (!last_level && remaining > depth_floor) take = std::min(remaining, sample_depth(mean_depth, rng));
    remaining -= take;
    while (take > 0) {
      const std::uint32_t fill =
          config_.unbundle_fills && take > 1 ? std::min(take, sample_resting_size(rng)) : take;
      emit(ms_us, price, bid, ask, fill, buy, in_rth, out, summary);
      take -= fill;
    }
    if (remaining == 0) break;
    // The level is exhausted: the next fill is one tick further, and that is the new best quote
    // on the side being taken.
    ++level;
    price += core::Ticks(step);
    (buy ? ask : bid) = price;
  }
  const std::size_t fills = out.size() - first_record;
  if (fills > 1) {
    out[first_record].open = scid::kFirstSubTrade;
    out.back().open = scid::kLastSubTrade;
  }
  ++summary.orders;
  summary.largest_order = std::max(summary.largest_order, size);

  if (level > 0) {
    // A sweep: the opposite side refills one tick behind the last fill price, and the fair
    // price is at least the new mid.
    ++summary.sweeps;
    // Below signal strength 1 the fair price moves only part of the way (none at 0: the book
    // refills and the quote returns to the fair price at the next order).
    const double keep = 1.0 - sweep_weight_;
    if (buy) {
      bid_ = price.count() - 1;
      const double mid = static_cast<double>(price.count()) - 0.5;
      fair_ = std::max(fair_, mid - keep * (mid - fair_));
    } else {
      bid_ = price.count();
      const double mid = static_cast<double>(price.count()) + 0.5;
      fair_ = std::min(fair_, mid - keep * (mid - fair_));
    }
    wide_ = false;
    quote_wide_ = false;
  }

  // Price impact of the order (Kyle's lambda): part now, part over the next minutes. Its
  // direction is the surprise (step - expected) plus signal_strength times the expected side,
  // which is step itself at strength 1 ((1 - 1) * expected is exactly 0).
  const double expected_side = 2.0 * p_buy - 1.0;
  const double direction = static_cast<double>(step) - (1.0 - config_.signal_strength) * expected_side;
  const double impact = impact_per_contract_ticks_ * impact_scale_ * static_cast<double>(size) * direction;
  fair_ += immediate_fraction_ * impact;
  pending_impact_ += delayed_fraction_ * impact;
  if (fair_ < kMinFairTicks) fair_ = kMinFairTicks;
}

SessionSummary MarketGenerator::next_session(std::vector<scid::Record>& out) {
  DT_ASSERT(!done(), "next_session() after the last session");
  const GeneratorConfig& c = config_;
  const core::Session session = calendar_->session(trade_date_);
  Rng rng(derive_seed(c.seed, static_cast<std::uint64_t>(session_index_)));

  SessionSummary summary;
  summary.trade_date = session.trade_date;
  summary.open = session.open;
  summary.close = session.close;

  // Per-session draws: busy or quiet, volatile or calm, a drift in the informed flow, a gap.
  const double day_activity = det_exp(c.day_activity_sd * rng.normal() - 0.5 * c.day_activity_sd * c.day_activity_sd);
  const double day_volatility =
      det_exp(c.day_volatility_sd * rng.normal() - 0.5 * c.day_volatility_sd * c.day_volatility_sd);
  day_bias_ = c.day_flow_bias_sd * rng.normal();
  const double gap_z = rng.normal();
  if (session_index_ > 0) {
    const bool after_weekend = date::weekday{trade_date_} == date::Monday;
    fair_ += (after_weekend ? c.weekend_gap_points : c.session_gap_points) * kTicksPerPoint * gap_z;
    if (fair_ < kMinFairTicks) fair_ = kMinFairTicks;
  }

  // The session's clock: seconds from the open, the RTH window, the activity profile.
  const auto length = std::chrono::duration_cast<std::chrono::seconds>(session.close - session.open);
  const int seconds = static_cast<int>(length.count());
  const int minutes = (seconds + 59) / 60;
  const auto open_local = calendar_->to_local(session.open);
  const auto open_tod = std::chrono::duration_cast<std::chrono::minutes>(
      open_local - date::floor<date::days>(open_local));
  const std::vector<double> profile = session_profile(c, static_cast<int>(open_tod.count()), minutes);
  const auto rth_begin = std::chrono::duration_cast<std::chrono::seconds>(
      calendar_->at(trade_date_, {kRthOpenMinute, 0}) - session.open).count();
  const auto rth_end = std::chrono::duration_cast<std::chrono::seconds>(
      calendar_->at(trade_date_, {kRthCloseMinute, 0}) - session.open).count();

  // Noise variance per second: activity^exponent, normalised to the daily variance.
  const double gamma = c.volatility_activity_exponent;
  std::vector<double> variance_weight(profile.size());
  double variance_sum = 0.0;
  for (std::size_t m = 0; m < profile.size(); ++m) {
    variance_weight[m] = pow_pos(profile[m], gamma);
    variance_sum += variance_weight[m];
  }
  const double daily_sd_ticks = c.daily_noise_points * kTicksPerPoint * day_volatility;
  const double daily_variance = daily_sd_ticks * daily_sd_ticks;
  // E[A^gamma] for the log-normal activity multiplier A, so the noise keeps its daily variance.
  const double activity_var = c.activity_sd * c.activity_sd;
  const double activity_gamma_mean = det_exp(0.5 * gamma * (gamma - 1.0) * activity_var);

  const double informed_ar = ar_coefficient(c.informed_half_life_minutes, 1.0);
  const double informed_shock = c.informed_tilt_sd * std::sqrt(1.0 - informed_ar * informed_ar);
  const double activity_ar = ar_coefficient(c.activity_half_life_minutes, 1.0);
  const double activity_shock = c.activity_sd * std::sqrt(1.0 - activity_ar * activity_ar);
  const std::uint32_t min_depth_rth = min_depth(c.book_depth_rth);
  const std::uint32_t min_depth_overnight = min_depth(c.book_depth_overnight);
  const double impact_release = 1.0 - det_exp(-1.0 / (c.impact_lag_minutes * 60.0));
  const double wide_exit = 1.0 / c.wide_spread_mean_seconds;
  // Two-state Markov chain: enter/exit rates chosen so the wide state holds the configured share.
  const double wide_enter = wide_exit * c.wide_spread_fraction / (1.0 - c.wide_spread_fraction);

  // A thinner book moves more per contract: impact scales with (depth_rth / depth)^exponent.
  const double overnight_impact_scale = pow_pos(c.book_depth_rth / c.book_depth_overnight, c.impact_depth_exponent);

  const std::int64_t open_us = scid::encode_time(session.open);
  const std::int64_t close_us = scid::encode_time(session.close);
  // About 1.5 records per order; grow geometrically when a caller collects many sessions.
  const std::size_t needed = out.size() + static_cast<std::size_t>(c.orders_per_session * 1.8);
  if (out.capacity() < needed) out.reserve(std::max(needed, 2 * out.capacity()));

  for (int sec = 0; sec < seconds; ++sec) {
    const std::size_t m = static_cast<std::size_t>(sec / 60);
    // Hidden states move once a second (exact OU steps).
    informed_ = day_bias_ + (informed_ - day_bias_) * informed_ar + informed_shock * rng.normal();
    log_activity_ = log_activity_ * activity_ar + activity_shock * rng.normal();
    // Pending impact flows into the fair price (exponential release, once a second).
    const double release = pending_impact_ * impact_release;
    fair_ += release;
    pending_impact_ -= release;
    const double log_a = log_activity_ - 0.5 * activity_var;
    const double activity = det_exp(log_a);
    if (wide_) {
      if (rng.bernoulli(wide_exit)) wide_ = false;
    } else if (rng.bernoulli(wide_enter)) {
      wide_ = true;
    }

    const double rate = c.orders_per_session * day_activity * activity * profile[m] / 60.0;
    const double variance = daily_variance * variance_weight[m] / (variance_sum * 60.0) *
                            det_exp(gamma * log_a) / activity_gamma_mean;
    const double sigma = std::sqrt(variance);
    const bool in_rth = sec >= rth_begin && sec < rth_end;
    const double mean_depth = in_rth ? c.book_depth_rth : c.book_depth_overnight;
    const std::uint32_t depth_floor = in_rth ? min_depth_rth : min_depth_overnight;
    impact_scale_ = in_rth ? 1.0 : overnight_impact_scale;
    const std::int64_t second_us = open_us + static_cast<std::int64_t>(sec) * kUsPerSecond;

    // Poisson arrivals inside the second: exponential gaps at the constant rate.
    double t = 0.0;
    double last = 0.0;
    while (rate > 0.0) {
      t += rng.exponential() / rate;
      if (t >= 1.0) break;
      advance(t - last, sigma, rng);
      last = t;
      const auto ms = static_cast<std::int64_t>(t * 1000.0);
      process_order(second_us + ms * kUsPerMs, in_rth, mean_depth, depth_floor, rng, out, summary);
    }
    advance(1.0 - last, sigma, rng);
  }
  DT_ASSERT(last_us_ < close_us, "every record lies inside its session");

  ++session_index_;
  do {
    trade_date_ += date::days(1);
  } while (!core::SessionCalendar::is_weekday(trade_date_));
  return summary;
}

core::Result<GeneratorSummary> generate(const GeneratorConfig& config, scid::Writer& writer,
                                        const std::function<void(int session, int total)>& progress) {
  auto created = MarketGenerator::create(config);
  if (!created) return created.error();
  MarketGenerator& gen = *created;

  if (const auto last = writer.last_date_time()) {
    const core::Session first = core::SessionCalendar::cme_globex().session(config.first_trade_date);
    if (*last >= scid::encode_time(first.open)) {
      const auto last_time = scid::decode_time(*last);
      return core::Error{fmt::format(
          "generator: the file already holds records up to {}, at or after the open of the first session "
          "(trade date {}, {}); expected an empty file or data that ends before it",
          last_time ? core::format_utc(*last_time) : fmt::format("DateTime {}", *last),
          date::format("%F", first.trade_date), core::format_utc(first.open))};
    }
  }

  GeneratorSummary summary;
  std::vector<scid::Record> records;
  while (!gen.done()) {
    records.clear();
    SessionSummary s = gen.next_session(records);
    writer.append(records);
    if (auto st = writer.flush(); !st) return st.error();
    summary.orders += s.orders;
    summary.trades += s.trades;
    summary.volume += s.volume;
    summary.per_session.push_back(s);
    ++summary.sessions;
    if (progress) progress(summary.sessions, config.sessions);
  }
  return summary;
}

}  // namespace daytrader::gen
