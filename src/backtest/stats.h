#pragma once
// Statistics that say whether a backtest's result is more than luck: inference on a series of
// daily P&L (mean, standard error, t-test, annualised Sharpe ratio with Lo's and a bootstrap
// interval, drawdown, higher moments), a verdict in words, the probabilistic and deflated Sharpe
// ratios (Bailey & López de Prado 2012, 2014), the probability of backtest overfitting by
// combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado & Zhu 2015) and a
// summary of a figure across training seeds. Formulas, references and how to read them:
// docs/statistics.md. Only the standard library, fmt and core's random engine.
//
// A figure that cannot be computed (too few days, no spread, a NaN in the input) is an empty
// std::optional, never a NaN, so nothing prints "nan".

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backtest/metrics.h"
#include "core/result.h"

namespace daytrader::backtest {

// ---- Distributions ------------------------------------------------------------------------------

// Euler–Mascheroni constant γ.
inline constexpr double kEulerGamma = 0.57721566490153286061;

// Standard normal CDF Φ(x) = erfc(−x/√2)/2 (full double precision in both tails). NaN -> NaN.
[[nodiscard]] double normal_cdf(double x) noexcept;

// Standard normal quantile Φ⁻¹(p) by Wichura's AS241 (PPND16, relative error about 1e-16).
// Φ⁻¹(0) = −inf, Φ⁻¹(1) = +inf; p outside [0, 1] or NaN gives NaN.
[[nodiscard]] double normal_quantile(double p) noexcept;

// ln Γ(x) for x > 0 (Stirling's series after shifting x to at least 10; about 1e-15 relative).
// Our own rather than std::lgamma, which writes the global `signgam` and so races across threads.
// x <= 0 or NaN gives NaN.
[[nodiscard]] double log_gamma(double x) noexcept;

// The regularized incomplete beta function I_x(a, b) (Lentz's continued fraction, relative error
// about 1e-14). a, b > 0 and x in [0, 1]; anything else gives NaN.
[[nodiscard]] double regularized_incomplete_beta(double a, double b, double x) noexcept;

// Two-sided p-value P(|T| >= |t|) of Student's t with `dof` > 0 degrees of freedom:
// I_{dof/(dof+t²)}(dof/2, 1/2). t = ±inf gives 0; NaN or dof <= 0 gives NaN.
[[nodiscard]] double student_t_two_sided_p(double t, double dof) noexcept;

// The type 7 sample quantile (R's default, numpy's "linear"): with the n values sorted
// ascending, h = (n − 1) p and Q(p) = x[⌊h⌋] + (h − ⌊h⌋) (x[⌊h⌋ + 1] − x[⌊h⌋]).
// `sorted` must be sorted ascending and non-empty, p in [0, 1] (checked).
[[nodiscard]] double quantile_type7(std::span<const double> sorted, double p);

// ---- A series of daily P&L -----------------------------------------------------------------------

struct Interval {
  double lower = 0;
  double upper = 0;
};

struct DailyStatsOptions {
  double periods_per_year = 252;            // trading days a year, for the annualised Sharpe ratio
  double confidence = 0.95;                 // of both Sharpe intervals, in (0, 1)
  std::int64_t bootstrap_resamples = 2000;  // 0 = no bootstrap interval; at most 1,000,000
  std::uint64_t bootstrap_seed = 1;         // core::Xoshiro256: a seed gives the same interval
  // Mean block length in days of the stationary bootstrap (Politis & Romano 1994): 1 resamples
  // days independently (iid bootstrap); L > 1 draws blocks of consecutive days with geometric
  // lengths of mean L, wrapping around the end, which keeps short-range dependence.
  double bootstrap_mean_block_days = 1;
};

// Why figures are missing; kOk means every optional below has a value (the bootstrap interval
// when bootstrap_resamples > 0 and some resample had a Sharpe ratio).
enum class DailyStatsStatus : std::int8_t {
  kOk,
  kNoDays,        // empty series: only max_drawdown (0)
  kOneDay,        // only mean and max_drawdown: a spread needs two days
  kZeroVariance,  // every day has the same P&L (e.g. never trades): mean, sd = se = 0, drawdown
  kNonFinite,     // a NaN or infinite day: nothing is computed (non_finite_days says how many)
};

struct DailyStats {
  DailyStatsStatus status = DailyStatsStatus::kNoDays;
  std::int64_t days = 0;                    // values given, flat days included
  std::int64_t non_finite_days = 0;         // NaN or ±inf values among them
  std::optional<double> mean;               // in the input's unit (e.g. cents)
  std::optional<double> sd;                 // sample standard deviation (n − 1)
  std::optional<double> se;                 // standard error of the mean, sd / √n
  std::optional<double> t_stat;             // mean / se
  std::optional<double> p_value;            // two-sided, Student's t with n − 1 degrees of freedom
  std::optional<double> sharpe_per_day;     // mean / sd, not annualised
  std::optional<double> sharpe_annualised;  // mean / sd × √periods_per_year
  // Lo (2002), iid: SE(SR) = √((1 + SR²/2) / n) on the per-day SR, SR ± z SE, then annualised.
  std::optional<Interval> sharpe_annualised_lo_ci;
  // Percentile interval of the annualised Sharpe ratio over bootstrap resamples of the days.
  std::optional<Interval> sharpe_annualised_bootstrap_ci;
  // Resamples that had a Sharpe ratio: a resample whose days are all equal counts as 0 when they
  // are all 0 and is left out otherwise (its Sharpe ratio would be infinite).
  std::int64_t bootstrap_resamples_used = 0;
  std::optional<double> max_drawdown;     // >= 0: the largest fall of cumulative P&L from its
                                          // running peak, the curve starting at 0 before day 1
  std::optional<double> skewness;         // g1 = m3 / m2^1.5 (moment estimator, not bias-adjusted)
  std::optional<double> excess_kurtosis;  // g2 = m4 / m2² − 3 (0 for a normal distribution)
  double confidence = 0.95;               // of the two intervals
  double periods_per_year = 252;
};

// Every figure of a daily P&L series (one value per trading day, flat days included, in any
// unit). "All days equal" is tested exactly, not as sd == 0 after rounding. Invalid options
// (confidence outside (0, 1), periods_per_year <= 0, resamples outside [0, 1e6], mean block < 1)
// are bugs and abort.
[[nodiscard]] DailyStats daily_stats(std::span<const double> daily_pnl,
                                     const DailyStatsOptions& options = {});

// The daily P&L of backtest days, in cents.
[[nodiscard]] std::vector<double> daily_pnl_cents(std::span<const DayResult> days);

// The verdict of the t-test in words, for a table or a log line:
//   "not significant (t = 0.84, p = 0.41, 6 days; too few days to judge)"
//   "significant at 5% (t = 2.90, p = 0.012, 40 days)"
//   "significantly negative at 1% (t = -3.10, p = 0.0047, 25 days)"
// Levels: p < 0.01 at 1%, p < 0.05 at 5%. Fewer than 20 days adds "too few days to judge". p is
// shown with the fewest significant digits (2 or more) that keep it on its side of 0.05 and 0.01,
// and as "p < 0.0001" below that. Without a test: "no verdict: ..." with the reason.
[[nodiscard]] std::string significance_words(const DailyStats& stats);

// "p = 0.41", "p = 0.0496", "p < 0.0001": p as significance_words() shows it.
[[nodiscard]] std::string format_p_value(double p);

// Below this many days significance_words() says "too few days to judge".
inline constexpr std::int64_t kFewestDaysToJudge = 20;

// ---- Probabilistic and deflated Sharpe ratio ----------------------------------------------------

// What PSR and DSR need of the chosen strategy: all per period (per day), none annualised.
struct SharpeSample {
  double sharpe = 0;              // per-period Sharpe ratio SR
  std::int64_t observations = 0;  // T, number of returns
  double skewness = 0;            // γ3 of the returns
  double kurtosis = 3;            // γ4, NOT excess: 3 for a normal distribution
};

// From daily stats (status kOk), with kurtosis = excess kurtosis + 3.
[[nodiscard]] std::optional<SharpeSample> sharpe_sample(const DailyStats& stats);

// PSR(SR*) = Φ((SR − SR*) √(T − 1) / √(1 − γ3 SR + (γ4 − 1)/4 SR²)): the probability that the
// true per-period Sharpe ratio exceeds the benchmark SR*. Errors when T < 2, a value is not
// finite, or the denominator's radicand is not positive.
[[nodiscard]] core::Result<double> probabilistic_sharpe(const SharpeSample& sample, double benchmark_sharpe);

// The expected maximum Sharpe ratio of `trials` independent trials whose true Sharpe ratio is 0,
// with V[SR] across trials `variance`:
//   E[max] ≈ √V ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))).
// 0 for N = 1 (no selection) or V = 0. Errors when N < 1 or V is negative or not finite.
[[nodiscard]] core::Result<double> expected_max_sharpe(double variance, std::int64_t trials);

struct DeflatedSharpe {
  std::int64_t trials = 0;           // N
  double trial_sharpe_variance = 0;  // V[SR] across the trials, per period
  double expected_max_sharpe = 0;    // SR0 = E[max], per period
  double z = 0;                      // the argument of Φ
  double dsr = 0;                    // PSR(SR0), in [0, 1]
};

// DSR = PSR(SR0) with SR0 = expected_max_sharpe(V, N), V the sample variance (N − 1) of the
// per-period Sharpe ratios of all N trials tried (seeds × settings, the chosen one included).
// One trial gives SR0 = 0, i.e. PSR(0).
[[nodiscard]] core::Result<DeflatedSharpe> deflated_sharpe(const SharpeSample& chosen,
                                                           std::span<const double> trial_sharpes);
// The same from V[SR] and N directly (as the paper's example gives them).
[[nodiscard]] core::Result<DeflatedSharpe> deflated_sharpe(const SharpeSample& chosen,
                                                           double trial_sharpe_variance, std::int64_t trials);

// ---- Probability of backtest overfitting (CSCV) --------------------------------------------------

// The figure a trial is ranked by within a half: its mean, or its Sharpe ratio (mean / population
// sd; the sd's divisor does not change a ranking within one half). A half whose values are all
// equal has Sharpe +inf, −inf or 0 by the sign of its value.
enum class PboMetric : std::int8_t { kSharpe, kMean };

inline constexpr int kMaxPboBlocks = 16;  // C(16, 8) = 12,870 splits

struct Pbo {
  double pbo = 0;           // share of splits whose in-sample best ranks at or below the median OOS
  std::int64_t splits = 0;  // C(S, S/2)
  std::int64_t trials = 0;
  std::int64_t periods = 0;
  int blocks = 0;
  // λ = ln(ω / (1 − ω)) per split, ω = the in-sample best trial's out-of-sample rank / (N + 1)
  // (rank 1 = worst, ties share their mean rank); splits in ascending order of their block mask
  // (bit b set = block b in sample).
  std::vector<double> logits;
};

// `performance` holds one row per trial (N >= 2), each the same T per-period results (e.g. daily
// P&L), finite. The T periods are cut in time order into `blocks` (S, even, 2..16, S <= T)
// contiguous blocks whose sizes differ by at most one (the first T mod S blocks get one more).
// Each of the C(S, S/2) ways to choose S/2 blocks is an in-sample half, the rest out of sample;
// the in-sample best trial (the first on a tie) is ranked out of sample. PBO = share of logits
// <= 0. Work is C(S, S/2) × N × S. Errors name the bad value.
[[nodiscard]] core::Result<Pbo> pbo_cscv(std::span<const std::vector<double>> performance, int blocks,
                                         PboMetric metric = PboMetric::kSharpe);

// ---- Across seeds -------------------------------------------------------------------------------

struct SeedDistribution {
  std::int64_t count = 0;       // values given
  std::int64_t non_finite = 0;  // NaN or ±inf among them
  // The figures below are set only when has_figures(): at least one value and none non-finite.
  // Quartiles and median are type 7 quantiles (quantile_type7).
  double min = 0;
  double q1 = 0;
  double median = 0;
  double q3 = 0;
  double max = 0;
  double mean = 0;
  [[nodiscard]] bool has_figures() const noexcept { return count > 0 && non_finite == 0; }
};

[[nodiscard]] SeedDistribution summarize(std::span<const double> values);

// `count` of `of` seeds; fraction() is empty when of = 0.
struct Share {
  std::int64_t count = 0;
  std::int64_t of = 0;
  [[nodiscard]] std::optional<double> fraction() const noexcept;
};

// Seeds whose value is strictly greater than the baseline (a tie does not beat it; NaN never does).
[[nodiscard]] Share share_beating(std::span<const double> values, double baseline);
// The same against each seed's own baseline (same length, checked).
[[nodiscard]] Share share_beating(std::span<const double> values, std::span<const double> baselines);
// Seeds whose run made no trade (a count of 0).
[[nodiscard]] Share share_never_trading(std::span<const std::int64_t> trade_counts);

}  // namespace daytrader::backtest
