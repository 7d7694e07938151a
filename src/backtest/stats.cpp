#include "backtest/stats.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <system_error>

#include <fmt/format.h>

#include "core/assert.h"
#include "core/xoshiro256.h"

namespace daytrader::backtest {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Evaluates c[0] + c[1] r + ... + c[7] r^7.
double poly7(const double (&c)[8], double r) noexcept {
  double v = c[7];
  for (int i = 6; i >= 0; --i) v = v * r + c[i];
  return v;
}

// Lentz's continued fraction for I_x(a, b) (Numerical Recipes' betacf, modified Lentz).
double beta_continued_fraction(double a, double b, double x) noexcept {
  constexpr int kMaxIterations = 100'000;
  constexpr double kEps = 1e-16;
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < kEps) break;
  }
  return h;
}

// I_x(a, b) with y = 1 − x given separately, so that a small 1 − x keeps its precision.
double incomplete_beta(double a, double b, double x, double y) noexcept {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const double log_front = log_gamma(a + b) - log_gamma(a) - log_gamma(b) + a * std::log(x) + b * std::log(y);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, y) / b;
}

// Two-pass mean and sample sd of values known to be finite, n >= 2.
struct MeanSd {
  double mean = 0;
  double sd = 0;
};
MeanSd mean_sd(std::span<const double> v) noexcept {
  double sum = 0;
  for (const double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1))};
}

bool all_equal(std::span<const double> v) noexcept {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

std::string days_words(std::int64_t n) {
  return n == 1 ? "1 day" : fmt::format("{} days", n);
}

}  // namespace

// ---- Distributions ------------------------------------------------------------------------------

double normal_cdf(double x) noexcept {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

double normal_quantile(double p) noexcept {
  // Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal distribution.
  // Applied Statistics 37(3), 477-484. PPND16, coefficients as published.
  static constexpr double kA[8] = {3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
                                   1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
                                   3.3430575583588128105e4, 2.5090809287301226727e3};
  static constexpr double kB[8] = {1.0,
                                   4.2313330701600911252e1,
                                   6.8718700749205790830e2,
                                   5.3941960214247511077e3,
                                   2.1213794301586595867e4,
                                   3.9307895800092710610e4,
                                   2.8729085735721942674e4,
                                   5.2264952788528545610e3};
  static constexpr double kC[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,
                                   5.76949722146069140550e0,  3.64784832476320460504e0,
                                   1.27045825245236838258e0,  2.41780725177450611770e-1,
                                   2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr double kD[8] = {1.0,
                                   2.05319162663775882187e0,
                                   1.67638483018380384940e0,
                                   6.89767334985100004550e-1,
                                   1.48103976427480074590e-1,
                                   1.51986665636164571966e-2,
                                   5.47593808499534494600e-4,
                                   1.05075007164441684324e-9};
  static constexpr double kE[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,
                                   1.78482653991729133580e0,  2.96560571828504891230e-1,
                                   2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                   2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double kF[8] = {1.0,
                                   5.99832206555887937690e-1,
                                   1.36929880922735805310e-1,
                                   1.48753612908506148525e-2,
                                   7.86869131145613259100e-4,
                                   1.84631831751005468180e-5,
                                   1.42151175831644588870e-7,
                                   2.04426310338993978564e-15};
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * poly7(kA, r) / poly7(kB, r);
  }
  double r = std::sqrt(-std::log(q < 0 ? p : 1 - p));
  double x = 0;
  if (r <= 5) {
    r -= 1.6;
    x = poly7(kC, r) / poly7(kD, r);
  } else {
    r -= 5;
    x = poly7(kE, r) / poly7(kF, r);
  }
  return q < 0 ? -x : x;
}

double log_gamma(double x) noexcept {
  if (std::isnan(x) || x <= 0) return kNaN;
  if (std::isinf(x)) return kInf;
  // Γ(x) = Γ(x + k) / (x (x + 1) ... (x + k − 1)), then Stirling's series at x + k >= 10, whose
  // first omitted term is below 1e-17 there.
  double shift = 1;
  while (x < 10) {
    shift *= x;
    x += 1;
  }
  const double inv = 1 / x, inv2 = inv * inv;
  const double series =
      inv *
      (1.0 / 12 +
       inv2 *
           (-1.0 / 360 +
            inv2 * (1.0 / 1260 +
                    inv2 * (-1.0 / 1680 +
                            inv2 * (1.0 / 1188 + inv2 * (-691.0 / 360360 +
                                                         inv2 * (1.0 / 156 + inv2 * (-3617.0 / 122400))))))));
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  return (x - 0.5) * std::log(x) - x + kHalfLog2Pi + series - std::log(shift);
}

double regularized_incomplete_beta(double a, double b, double x) noexcept {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1) || std::isinf(a) || std::isinf(b)) return kNaN;
  return incomplete_beta(a, b, x, 1 - x);
}

double student_t_two_sided_p(double t, double dof) noexcept {
  if (std::isnan(t) || !(dof > 0) || std::isinf(dof)) return kNaN;
  if (std::isinf(t)) return 0;
  const double t2 = t * t;
  // x = dof / (dof + t²), 1 − x = t² / (dof + t²), both without cancellation.
  return incomplete_beta(dof / 2, 0.5, dof / (dof + t2), t2 / (dof + t2));
}

double quantile_type7(std::span<const double> sorted, double p) {
  DT_ASSERT(!sorted.empty(), "a quantile needs at least one value");
  DT_ASSERT(p >= 0 && p <= 1, "a quantile's probability is in [0, 1]");
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  const double frac = h - static_cast<double>(lo);
  if (frac == 0) return sorted[lo];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

// ---- A series of daily P&L -----------------------------------------------------------------------

DailyStats daily_stats(std::span<const double> daily_pnl, const DailyStatsOptions& options) {
  DT_ASSERT(options.confidence > 0 && options.confidence < 1, "confidence is in (0, 1)");
  DT_ASSERT(options.periods_per_year > 0 && std::isfinite(options.periods_per_year),
            "periods_per_year is positive");
  DT_ASSERT(options.bootstrap_resamples >= 0 && options.bootstrap_resamples <= 1'000'000,
            "bootstrap_resamples is in [0, 1,000,000]");
  DT_ASSERT(options.bootstrap_mean_block_days >= 1 && std::isfinite(options.bootstrap_mean_block_days),
            "bootstrap_mean_block_days is at least 1");
  DailyStats s;
  s.confidence = options.confidence;
  s.periods_per_year = options.periods_per_year;
  const std::size_t n = daily_pnl.size();
  s.days = static_cast<std::int64_t>(n);
  s.non_finite_days = static_cast<std::int64_t>(
      std::count_if(daily_pnl.begin(), daily_pnl.end(), [](double x) { return !std::isfinite(x); }));
  if (s.non_finite_days > 0) {
    s.status = DailyStatsStatus::kNonFinite;
    return s;
  }

  double cumulative = 0, peak = 0, drawdown = 0;
  for (const double x : daily_pnl) {
    cumulative += x;
    peak = std::max(peak, cumulative);
    drawdown = std::max(drawdown, peak - cumulative);
  }
  s.max_drawdown = drawdown;
  if (n == 0) {
    s.status = DailyStatsStatus::kNoDays;
    return s;
  }
  double sum = 0;
  for (const double x : daily_pnl) sum += x;
  const double nd = static_cast<double>(n);
  if (n == 1) {
    s.status = DailyStatsStatus::kOneDay;
    s.mean = sum;
    return s;
  }
  if (all_equal(daily_pnl)) {
    s.status = DailyStatsStatus::kZeroVariance;
    s.mean = daily_pnl.front();
    s.sd = 0.0;
    s.se = 0.0;
    return s;
  }

  s.status = DailyStatsStatus::kOk;
  const MeanSd ms = mean_sd(daily_pnl);
  s.mean = ms.mean;
  s.sd = ms.sd;
  s.se = ms.sd / std::sqrt(nd);
  s.t_stat = ms.mean / *s.se;
  s.p_value = student_t_two_sided_p(*s.t_stat, nd - 1);
  const double sr = ms.mean / ms.sd;
  const double annualise = std::sqrt(options.periods_per_year);
  s.sharpe_per_day = sr;
  s.sharpe_annualised = sr * annualise;

  const double z = normal_quantile(0.5 + options.confidence / 2);
  const double se_sr = std::sqrt((1 + sr * sr / 2) / nd);
  s.sharpe_annualised_lo_ci = Interval{(sr - z * se_sr) * annualise, (sr + z * se_sr) * annualise};

  double m2 = 0, m3 = 0, m4 = 0;
  for (const double x : daily_pnl) {
    const double d = x - ms.mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= nd;
  m3 /= nd;
  m4 /= nd;
  s.skewness = m3 / std::pow(m2, 1.5);
  s.excess_kurtosis = m4 / (m2 * m2) - 3;

  if (options.bootstrap_resamples > 0) {
    core::Xoshiro256 rng(options.bootstrap_seed);
    const double new_block = 1 / options.bootstrap_mean_block_days;  // chance that a day starts a block
    std::vector<double> sample(n), sharpes;
    sharpes.reserve(static_cast<std::size_t>(options.bootstrap_resamples));
    for (std::int64_t b = 0; b < options.bootstrap_resamples; ++b) {
      std::size_t index = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (i == 0 || new_block >= 1 || rng.uniform01() < new_block) {
          index = static_cast<std::size_t>(rng.below(n));
        } else {
          index = index + 1 == n ? 0 : index + 1;
        }
        sample[i] = daily_pnl[index];
      }
      if (all_equal(sample)) {
        if (sample.front() == 0) sharpes.push_back(0);
        continue;
      }
      const MeanSd r = mean_sd(sample);
      sharpes.push_back(r.mean / r.sd * annualise);
    }
    s.bootstrap_resamples_used = static_cast<std::int64_t>(sharpes.size());
    if (!sharpes.empty()) {
      std::sort(sharpes.begin(), sharpes.end());
      const double tail = (1 - options.confidence) / 2;
      s.sharpe_annualised_bootstrap_ci =
          Interval{quantile_type7(sharpes, tail), quantile_type7(sharpes, 1 - tail)};
    }
  }
  return s;
}

std::vector<double> daily_pnl_cents(std::span<const DayResult> days) {
  std::vector<double> out;
  out.reserve(days.size());
  for (const auto& d : days) out.push_back(static_cast<double>(d.pnl_cents));
  return out;
}

// p with the fewest significant digits (from 2) that keep it on its side of 0.05 and 0.01.
std::string format_p_value(double p) {
  if (p < 1e-4) return "p < 0.0001";
  std::string text;
  for (int digits = 2; digits <= 17; ++digits) {
    text = fmt::format("{:#.{}g}", p, digits);  // #: keep trailing zeros (0.60)
    double shown = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), shown);
    if (parsed.ec != std::errc{}) break;
    if ((shown < 0.05) == (p < 0.05) && (shown < 0.01) == (p < 0.01)) break;
  }
  return "p = " + text;
}

std::string significance_words(const DailyStats& stats) {
  switch (stats.status) {
    case DailyStatsStatus::kNonFinite:
      return fmt::format("no verdict: {} of {} daily values are not finite", stats.non_finite_days,
                         stats.days);
    case DailyStatsStatus::kNoDays:
      return "no verdict: no days";
    case DailyStatsStatus::kOneDay:
      return "no verdict: 1 day (a spread needs 2)";
    case DailyStatsStatus::kZeroVariance:
      return fmt::format("no verdict: every one of the {} days has the same P&L", stats.days);
    case DailyStatsStatus::kOk:
      break;
  }
  DT_ASSERT(stats.t_stat && stats.p_value && stats.mean, "status kOk has a t-test");
  const double p = *stats.p_value;
  std::string verdict;
  if (p < 0.05) {
    verdict = fmt::format("{} at {}%", *stats.mean > 0 ? "significant" : "significantly negative",
                          p < 0.01 ? 1 : 5);
  } else {
    verdict = "not significant";
  }
  const std::string caution = stats.days < kFewestDaysToJudge ? "; too few days to judge" : "";
  return fmt::format("{} (t = {:.2f}, {}, {}{})", verdict, *stats.t_stat, format_p_value(p),
                     days_words(stats.days), caution);
}

// ---- Probabilistic and deflated Sharpe ratio ----------------------------------------------------

std::optional<SharpeSample> sharpe_sample(const DailyStats& stats) {
  if (stats.status != DailyStatsStatus::kOk) return std::nullopt;
  return SharpeSample{*stats.sharpe_per_day, stats.days, *stats.skewness, *stats.excess_kurtosis + 3};
}

namespace {
core::Result<double> psr_z(const SharpeSample& s, double benchmark) {
  if (s.observations < 2) {
    return core::Error{fmt::format("PSR needs at least 2 observations, was {}", s.observations)};
  }
  if (!std::isfinite(s.sharpe) || !std::isfinite(s.skewness) || !std::isfinite(s.kurtosis) ||
      !std::isfinite(benchmark)) {
    return core::Error{
        fmt::format("PSR needs finite inputs, was Sharpe {}, skewness {}, kurtosis {}, benchmark {}",
                    s.sharpe, s.skewness, s.kurtosis, benchmark)};
  }
  const double radicand = 1 - s.skewness * s.sharpe + (s.kurtosis - 1) / 4 * s.sharpe * s.sharpe;
  if (!(radicand > 0)) {
    return core::Error{
        fmt::format("PSR: 1 - skewness x SR + (kurtosis - 1)/4 x SR^2 = {} is not positive (SR {}, skewness "
                    "{}, kurtosis {})",
                    radicand, s.sharpe, s.skewness, s.kurtosis)};
  }
  return (s.sharpe - benchmark) * std::sqrt(static_cast<double>(s.observations - 1)) / std::sqrt(radicand);
}
}  // namespace

core::Result<double> probabilistic_sharpe(const SharpeSample& sample, double benchmark_sharpe) {
  auto z = psr_z(sample, benchmark_sharpe);
  if (!z) return z.error();
  return normal_cdf(*z);
}

core::Result<double> expected_max_sharpe(double variance, std::int64_t trials) {
  if (trials < 1)
    return core::Error{fmt::format("the expected maximum Sharpe needs at least 1 trial, was {}", trials)};
  if (!(variance >= 0) || std::isinf(variance)) {
    return core::Error{
        fmt::format("the variance of the trials' Sharpe ratios must be finite and >= 0, was {}", variance)};
  }
  if (trials == 1 || variance == 0) return 0.0;
  const double n = static_cast<double>(trials);
  return std::sqrt(variance) * ((1 - kEulerGamma) * normal_quantile(1 - 1 / n) +
                                kEulerGamma * normal_quantile(1 - 1 / (n * std::numbers::e)));
}

core::Result<DeflatedSharpe> deflated_sharpe(const SharpeSample& chosen, double trial_sharpe_variance,
                                             std::int64_t trials) {
  auto sr0 = expected_max_sharpe(trial_sharpe_variance, trials);
  if (!sr0) return sr0.error();
  auto z = psr_z(chosen, *sr0);
  if (!z) return z.error();
  return DeflatedSharpe{trials, trial_sharpe_variance, *sr0, *z, normal_cdf(*z)};
}

core::Result<DeflatedSharpe> deflated_sharpe(const SharpeSample& chosen,
                                             std::span<const double> trial_sharpes) {
  if (trial_sharpes.empty()) return core::Error{"DSR needs the Sharpe ratio of at least 1 trial, was none"};
  for (std::size_t i = 0; i < trial_sharpes.size(); ++i) {
    if (!std::isfinite(trial_sharpes[i])) {
      return core::Error{
          fmt::format("DSR: trial {} has Sharpe ratio {}, expected a finite value", i, trial_sharpes[i])};
    }
  }
  double variance = 0;
  if (trial_sharpes.size() >= 2) {
    const MeanSd ms = mean_sd(trial_sharpes);
    variance = ms.sd * ms.sd;
  }
  return deflated_sharpe(chosen, variance, static_cast<std::int64_t>(trial_sharpes.size()));
}

// ---- Probability of backtest overfitting (CSCV) --------------------------------------------------

namespace {
// Sums of one trial's values in one block, shifted by the trial's overall mean for precision.
struct BlockSums {
  double count = 0;
  double sum = 0;
  double sum_squares = 0;
  double min = 0;  // unshifted, to tell a constant half exactly
  double max = 0;
};

double half_figure(std::span<const BlockSums> blocks, double center, std::uint32_t mask, bool in_mask,
                   PboMetric metric) {
  double count = 0, sum = 0, sum_squares = 0;
  double lo = kInf, hi = -kInf;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if ((((mask >> b) & 1u) != 0) != in_mask) continue;
    count += blocks[b].count;
    sum += blocks[b].sum;
    sum_squares += blocks[b].sum_squares;
    lo = std::min(lo, blocks[b].min);
    hi = std::max(hi, blocks[b].max);
  }
  const double shifted_mean = sum / count;
  if (metric == PboMetric::kMean) return shifted_mean + center;
  if (lo == hi) return lo > 0 ? kInf : (lo < 0 ? -kInf : 0.0);
  const double variance = std::max(0.0, sum_squares / count - shifted_mean * shifted_mean);
  if (variance == 0) return 0.0;  // unreachable in practice: not all equal yet no spread after rounding
  return (shifted_mean + center) / std::sqrt(variance);
}
}  // namespace

core::Result<Pbo> pbo_cscv(std::span<const std::vector<double>> performance, int blocks, PboMetric metric) {
  if (blocks < 2 || blocks > kMaxPboBlocks || blocks % 2 != 0) {
    return core::Error{fmt::format(
        "PBO needs an even number of blocks from 2 to {} (C(16, 8) = 12,870 splits bounds the work), was {}",
        kMaxPboBlocks, blocks)};
  }
  if (performance.size() < 2) {
    return core::Error{fmt::format("PBO needs at least 2 trials to choose from, was {}", performance.size())};
  }
  const std::size_t periods = performance.front().size();
  const auto n_blocks = static_cast<std::size_t>(blocks);
  if (periods < n_blocks) {
    return core::Error{fmt::format("PBO with {} blocks needs at least {} periods per trial, was {}", blocks,
                                   blocks, periods)};
  }
  for (std::size_t t = 0; t < performance.size(); ++t) {
    if (performance[t].size() != periods) {
      return core::Error{
          fmt::format("PBO: trial {} has {} periods, trial 0 has {}", t, performance[t].size(), periods)};
    }
    for (std::size_t i = 0; i < periods; ++i) {
      if (!std::isfinite(performance[t][i])) {
        return core::Error{
            fmt::format("PBO: trial {} period {} is {}, expected a finite value", t, i, performance[t][i])};
      }
    }
  }

  const std::size_t n_trials = performance.size();
  // Block b covers [start[b], start[b + 1]); the first periods % blocks blocks get one more.
  std::vector<std::size_t> start(n_blocks + 1, 0);
  for (std::size_t b = 0; b < n_blocks; ++b)
    start[b + 1] = start[b] + periods / n_blocks + (b < periods % n_blocks ? 1 : 0);
  std::vector<double> centers(n_trials);
  std::vector<BlockSums> sums(n_trials * n_blocks);
  for (std::size_t t = 0; t < n_trials; ++t) {
    const auto& row = performance[t];
    double total = 0;
    for (const double x : row) total += x;
    centers[t] = total / static_cast<double>(periods);
    for (std::size_t b = 0; b < n_blocks; ++b) {
      BlockSums& s = sums[t * n_blocks + b];
      s.min = kInf;
      s.max = -kInf;
      for (std::size_t i = start[b]; i < start[b + 1]; ++i) {
        const double d = row[i] - centers[t];
        s.count += 1;
        s.sum += d;
        s.sum_squares += d * d;
        s.min = std::min(s.min, row[i]);
        s.max = std::max(s.max, row[i]);
      }
    }
  }

  Pbo out;
  out.trials = static_cast<std::int64_t>(n_trials);
  out.periods = static_cast<std::int64_t>(periods);
  out.blocks = blocks;
  std::vector<double> in_sample(n_trials), out_of_sample(n_trials);
  std::int64_t overfit = 0;
  const std::uint32_t masks = 1u << n_blocks;
  for (std::uint32_t mask = 0; mask < masks; ++mask) {
    if (std::popcount(mask) != blocks / 2) continue;
    for (std::size_t t = 0; t < n_trials; ++t) {
      const std::span<const BlockSums> row(sums.data() + t * n_blocks, n_blocks);
      in_sample[t] = half_figure(row, centers[t], mask, true, metric);
      out_of_sample[t] = half_figure(row, centers[t], mask, false, metric);
    }
    const std::size_t best =
        static_cast<std::size_t>(std::max_element(in_sample.begin(), in_sample.end()) - in_sample.begin());
    double below = 0, tied = 0;
    for (std::size_t t = 0; t < n_trials; ++t) {
      if (t == best) continue;
      if (out_of_sample[t] < out_of_sample[best]) below += 1;
      if (out_of_sample[t] == out_of_sample[best]) tied += 1;
    }
    const double rank = 1 + below + tied / 2;
    const double omega = rank / static_cast<double>(n_trials + 1);
    const double logit = std::log(omega / (1 - omega));
    out.logits.push_back(logit);
    if (logit <= 0) ++overfit;
  }
  out.splits = static_cast<std::int64_t>(out.logits.size());
  out.pbo = static_cast<double>(overfit) / static_cast<double>(out.splits);
  return out;
}

// ---- Across seeds -------------------------------------------------------------------------------

SeedDistribution summarize(std::span<const double> values) {
  SeedDistribution d;
  d.count = static_cast<std::int64_t>(values.size());
  d.non_finite = static_cast<std::int64_t>(
      std::count_if(values.begin(), values.end(), [](double x) { return !std::isfinite(x); }));
  if (!d.has_figures()) return d;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  d.min = sorted.front();
  d.max = sorted.back();
  d.q1 = quantile_type7(sorted, 0.25);
  d.median = quantile_type7(sorted, 0.5);
  d.q3 = quantile_type7(sorted, 0.75);
  double sum = 0;
  for (const double x : sorted) sum += x;
  d.mean = sum / static_cast<double>(sorted.size());
  return d;
}

std::optional<double> Share::fraction() const noexcept {
  if (of <= 0) return std::nullopt;
  return static_cast<double>(count) / static_cast<double>(of);
}

Share share_beating(std::span<const double> values, double baseline) {
  Share s;
  s.of = static_cast<std::int64_t>(values.size());
  s.count = static_cast<std::int64_t>(
      std::count_if(values.begin(), values.end(), [&](double v) { return v > baseline; }));
  return s;
}

Share share_beating(std::span<const double> values, std::span<const double> baselines) {
  DT_ASSERT(values.size() == baselines.size(), "one baseline per seed");
  Share s;
  s.of = static_cast<std::int64_t>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] > baselines[i]) ++s.count;
  }
  return s;
}

Share share_never_trading(std::span<const std::int64_t> trade_counts) {
  Share s;
  s.of = static_cast<std::int64_t>(trade_counts.size());
  s.count = static_cast<std::int64_t>(std::count(trade_counts.begin(), trade_counts.end(), std::int64_t{0}));
  return s;
}

}  // namespace daytrader::backtest
