#include "backtest/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "core/xoshiro256.h"

// Reference values were computed independently of this code with python3's standard library
// (no numpy/scipy): means and variances exactly with fractions.Fraction; two-sided Student t
// p-values with the exact finite series for integer degrees of freedom (Abramowitz & Stegun
// 26.7.3 odd, 26.7.4 even), cross-checked by Simpson integration of the t density (200,000
// intervals; agreement to 1e-14); z = statistics.NormalDist().inv_cdf(0.975); ln Γ with
// math.lgamma; bootstrap and PBO by re-implementing core::Xoshiro256 and the documented rules
// (docs/statistics.md) directly. Quantiles of Φ and t are the published table values (R's qnorm
// and qt).

namespace daytrader::backtest {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// |actual − expected| <= rel × max(1, |expected|)
void expect_close(double actual, double expected, double rel, const std::string& what) {
  EXPECT_NEAR(actual, expected, rel * std::max(1.0, std::fabs(expected))) << what;
}

// ---- Distributions ------------------------------------------------------------------------------

TEST(NormalDistribution, CdfMatchesKnownValuesInBothTails) {
  EXPECT_EQ(normal_cdf(0), 0.5);
  EXPECT_NEAR(normal_cdf(-1), 0.15865525393145707, 1e-16);
  EXPECT_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-15);
  EXPECT_NEAR(normal_cdf(-1.959963984540054), 0.025, 1e-16);
  // Φ(−8) = 6.22096057427178e-16: a form 0.5 (1 + erf(x/√2)) would lose it (python's gives 6.1e-16).
  EXPECT_NEAR(normal_cdf(-8) / 6.22096057427178e-16, 1.0, 1e-12);
  EXPECT_EQ(normal_cdf(-kInf), 0.0);
  EXPECT_EQ(normal_cdf(kInf), 1.0);
  EXPECT_TRUE(std::isnan(normal_cdf(kNaN)));
}

TEST(NormalDistribution, QuantileMatchesPublishedPercentagePoints) {
  struct Row {
    double p, z;
  };
  // R: qnorm(p), printed with 16 digits.
  const Row rows[] = {{0.975, 1.959963984540054},   {0.025, -1.959963984540054},
                      {0.99, 2.326347874040841},    {0.995, 2.575829303548901},
                      {0.999, 3.090232306167814},   {0.7, 0.5244005127080407},
                      {0.2, -0.8416212335729143},   {1e-10, -6.361340902404056},
                      {1e-300, -37.04709629936120}, {0.5, 0.0}};
  for (const Row& r : rows) expect_close(normal_quantile(r.p), r.z, 2e-15, "p = " + std::to_string(r.p));
  EXPECT_EQ(normal_quantile(0), -kInf);
  EXPECT_EQ(normal_quantile(1), kInf);
  EXPECT_TRUE(std::isnan(normal_quantile(-0.1)));
  EXPECT_TRUE(std::isnan(normal_quantile(1.1)));
  EXPECT_TRUE(std::isnan(normal_quantile(kNaN)));
  // Round trip through the three regions of AS241 (|q| <= 0.425, r <= 5, r > 5).
  for (const double p : {1e-12, 1e-6, 0.01, 0.07, 0.3, 0.5, 0.6, 0.93, 0.999999}) {
    expect_close(normal_cdf(normal_quantile(p)) / p, 1.0, 1e-14, "round trip p = " + std::to_string(p));
  }
}

TEST(SpecialFunctions, LogGammaMatchesPythonLgamma) {
  struct Row {
    double x, expected;
  };
  // python3: math.lgamma(x); ln Γ(1/2) = ln √π.
  const Row rows[] = {{0.5, 0.5723649429247001},    {1.0, 0.0},
                      {3.7, 1.4280723266653883},    {10.0, 12.801827480081467},
                      {100.5, 361.4355404677776},   {0.001, 6.907178885383854},
                      {2500.25, 17059.077950003306}};
  for (const Row& r : rows) expect_close(log_gamma(r.x), r.expected, 1e-14, "x = " + std::to_string(r.x));
  EXPECT_TRUE(std::isnan(log_gamma(0)));
  EXPECT_TRUE(std::isnan(log_gamma(-1.5)));
}

TEST(SpecialFunctions, IncompleteBetaMatchesClosedForms) {
  // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b; I_½(a, a) = ½; for integers,
  // I_x(2, 3) = Σ_{j=2..4} C(4, j) x^j (1 − x)^(4−j).
  for (const double x : {0.0, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0}) {
    const std::string at = "x = " + std::to_string(x);
    expect_close(regularized_incomplete_beta(1, 1, x), x, 1e-14, at);
    expect_close(regularized_incomplete_beta(3.5, 1, x), std::pow(x, 3.5), 1e-14, at);
    expect_close(regularized_incomplete_beta(1, 7.25, x), 1 - std::pow(1 - x, 7.25), 1e-14, at);
    const double y = 1 - x;
    expect_close(regularized_incomplete_beta(2, 3, x), 6 * x * x * y * y + 4 * x * x * x * y + x * x * x * x,
                 1e-14, at);
  }
  for (const double a : {0.5, 2.0, 40.0, 1000.0}) {
    expect_close(regularized_incomplete_beta(a, a, 0.5), 0.5, 1e-13, "a = " + std::to_string(a));
  }
  EXPECT_TRUE(std::isnan(regularized_incomplete_beta(0, 1, 0.5)));
  EXPECT_TRUE(std::isnan(regularized_incomplete_beta(1, 1, 1.5)));
  EXPECT_TRUE(std::isnan(regularized_incomplete_beta(1, 1, kNaN)));
}

TEST(StudentT, TwoSidedPMatchesTablesAndExactSeries) {
  struct Row {
    double t, dof, p;
  };
  const Row rows[] = {
      // Critical values (R: qt(0.975, dof), qt(0.995, 20)) give p = 0.05 and 0.01.
      {12.706204736174707, 1, 0.05},
      {4.302652729749464, 2, 0.05},
      {2.570581835636314, 5, 0.05},
      {2.228138851986274, 10, 0.05},
      {2.042272456301238, 30, 0.05},
      {2.845339709785814, 20, 0.01},
      // Closed forms: dof 1, p = 1 − (2/π) atan t; dof 2, p = 1 − t / √(2 + t²).
      {1.0, 1, 0.5},
      {2.0, 2, 1 - 2 / std::sqrt(6.0)},
      // A&S 26.7.3/4, exact for integer dof.
      {0.5, 3, 0.6514479648481509},
      {1.5, 999, 0.133930354711287},
      {2.5, 999, 0.012578727584508953},
      {4.0, 999, 6.801470983797131e-05},
      {0.0, 60, 1.0},
  };
  for (const Row& r : rows) {
    const double p = student_t_two_sided_p(r.t, r.dof);
    EXPECT_NEAR(p / r.p, 1.0, 1e-9) << "t = " << r.t << ", dof = " << r.dof;
    EXPECT_EQ(student_t_two_sided_p(-r.t, r.dof), p) << "symmetric, t = " << r.t;
  }
  EXPECT_EQ(student_t_two_sided_p(kInf, 5), 0.0);
  EXPECT_TRUE(std::isnan(student_t_two_sided_p(kNaN, 5)));
  EXPECT_TRUE(std::isnan(student_t_two_sided_p(1, 0)));
}

TEST(Quantile, Type7IsRsAndNumpysDefault) {
  const std::vector<double> four = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(quantile_type7(four, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile_type7(four, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile_type7(four, 0.75), 3.25);
  EXPECT_DOUBLE_EQ(quantile_type7(four, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile_type7(four, 1.0), 4);
  const std::vector<double> one = {5};
  EXPECT_DOUBLE_EQ(quantile_type7(one, 0.3), 5);
}

// ---- A series of daily P&L -----------------------------------------------------------------------

// One row per series: every figure from python3 (fractions for the moments, A&S for p,
// z = 1.959963984540054 for Lo's interval, √252 for annualising).
struct SeriesRow {
  const char* name;
  std::vector<double> pnl;
  double mean, sd, se, t, p, sharpe_annualised, lo_lower, lo_upper, max_drawdown, skewness, excess_kurtosis;
  const char* words;
};

std::vector<double> series_c() {  // round(40 + 150 sin(2.1 i + 0.3)), i = 0..39
  std::vector<double> v;
  for (int i = 0; i < 40; ++i) v.push_back(std::round(40 + 150 * std::sin(2.1 * i + 0.3)));
  return v;
}
std::vector<double> series_d() {  // round(−60 + 120 cos(1.3 i)), i = 0..24
  std::vector<double> v;
  for (int i = 0; i < 25; ++i) v.push_back(std::round(-60 + 120 * std::cos(1.3 * i)));
  return v;
}

const std::vector<SeriesRow>& series_table() {
  static const std::vector<SeriesRow> rows = {
      // metrics_test's three days: mean 80/3, sd = √(16900/3) = 75.0555, se = sd/√3, t = 8/13.
      {"A",
       {100, -50, 30},
       26.666666666666668,
       75.05553499465135,
       43.333333333333336,
       0.6153846153846154,
       0.6009962655569467,
       5.640093163022573,
       -12.881491322265264,
       24.161677648310413,
       50,
       -0.08142831845252459,
       -1.5,
       "not significant (t = 0.62, p = 0.60, 3 days; too few days to judge)"},
      {"B",
       {120, -80, 45, -30, 60, -10},
       17.5,
       71.53670386591767,
       29.204737058680514,
       0.5992178585562195,
       0.5751424336708229,
       3.8833755631580966,
       -9.00727599674316,
       16.77402712305935,
       80,
       0.07159056541926599,
       -1.0732490909164674,
       "not significant (t = 0.60, p = 0.58, 6 days; too few days to judge)"},
      {"C", series_c(), 41.55, 106.66240776754118, 16.864807463153284, 2.4637103086281673,
       0.018266032355165662, 6.183863796567354, 1.0811766496214321, 11.286550943513276, 110,
       -0.689915899716624, -1.4456865849835143, "significant at 5% (t = 2.46, p = 0.018, 40 days)"},
      {"D", series_d(), -55.84, 87.99274591313385, 17.59854918262677, -3.172988831097797,
       0.004099919064983304, -10.07392723184436, -16.89439919573945, -3.2534552679492728, 1513,
       -0.04804382289345357, -1.5042301316377111,
       "significantly negative at 1% (t = -3.17, p = 0.0041, 25 days)"},
  };
  return rows;
}

TEST(DailyStats, MatchesIndependentReferenceTable) {
  DailyStatsOptions options;
  options.bootstrap_resamples = 0;
  for (const SeriesRow& r : series_table()) {
    SCOPED_TRACE(r.name);
    const DailyStats s = daily_stats(r.pnl, options);
    ASSERT_EQ(s.status, DailyStatsStatus::kOk);
    EXPECT_EQ(s.days, static_cast<std::int64_t>(r.pnl.size()));
    EXPECT_EQ(s.non_finite_days, 0);
    expect_close(*s.mean, r.mean, 1e-13, "mean");
    expect_close(*s.sd, r.sd, 1e-13, "sd");
    expect_close(*s.se, r.se, 1e-13, "se");
    expect_close(*s.t_stat, r.t, 1e-13, "t");
    EXPECT_NEAR(*s.p_value / r.p, 1.0, 1e-10) << "p";
    expect_close(*s.sharpe_per_day, r.mean / r.sd, 1e-13, "per-day Sharpe");
    expect_close(*s.sharpe_annualised, r.sharpe_annualised, 1e-13, "annualised Sharpe");
    expect_close(s.sharpe_annualised_lo_ci->lower, r.lo_lower, 1e-13, "Lo lower");
    expect_close(s.sharpe_annualised_lo_ci->upper, r.lo_upper, 1e-13, "Lo upper");
    EXPECT_EQ(*s.max_drawdown, r.max_drawdown);
    expect_close(*s.skewness, r.skewness, 1e-12, "skewness");
    expect_close(*s.excess_kurtosis, r.excess_kurtosis, 1e-12, "excess kurtosis");
    EXPECT_FALSE(s.sharpe_annualised_bootstrap_ci.has_value());
    EXPECT_EQ(s.bootstrap_resamples_used, 0);
    EXPECT_EQ(significance_words(s), r.words);
  }
}

TEST(DailyStats, AgreesWithMetricsDailySharpe) {
  const std::vector<DayResult> days = {{1, 10'000, 1}, {2, -5'000, 1}, {3, 3'000, 2}};
  const std::vector<double> pnl = daily_pnl_cents(days);
  ASSERT_EQ(pnl, (std::vector<double>{10'000, -5'000, 3'000}));
  const DailyStats s = daily_stats(pnl);
  EXPECT_DOUBLE_EQ(*s.sharpe_annualised, compute_metrics({}, {}, days).daily_sharpe);
  EXPECT_EQ(*s.max_drawdown, 5'000);
}

TEST(DailyStats, LoIntervalFollowsTheConfidenceLevel) {
  DailyStatsOptions options;
  options.bootstrap_resamples = 0;
  options.confidence = 0.99;
  options.periods_per_year = 250;
  const std::vector<double> pnl = {100, -50, 30};
  const DailyStats s = daily_stats(pnl, options);
  // SR = 8/13 / √3, SE = √((1 + SR²/2)/3), z = 2.575829303548901, × √250.
  const double sr = 0.6153846153846154 / std::sqrt(3.0);
  const double se = std::sqrt((1 + sr * sr / 2) / 3);
  expect_close(s.sharpe_annualised_lo_ci->lower, (sr - 2.575829303548901 * se) * std::sqrt(250.0), 1e-13,
               "lower");
  expect_close(s.sharpe_annualised_lo_ci->upper, (sr + 2.575829303548901 * se) * std::sqrt(250.0), 1e-13,
               "upper");
  EXPECT_EQ(s.confidence, 0.99);
}

TEST(DailyStats, BootstrapIsDeterministicForASeedAndMatchesTheReference) {
  const std::vector<double> c = series_c();
  DailyStatsOptions options;
  options.bootstrap_resamples = 200;
  options.bootstrap_seed = 42;
  const DailyStats a = daily_stats(c, options);
  const DailyStats again = daily_stats(c, options);
  ASSERT_TRUE(a.sharpe_annualised_bootstrap_ci.has_value());
  EXPECT_EQ(a.sharpe_annualised_bootstrap_ci->lower, again.sharpe_annualised_bootstrap_ci->lower);
  EXPECT_EQ(a.sharpe_annualised_bootstrap_ci->upper, again.sharpe_annualised_bootstrap_ci->upper);
  // python3: xoshiro256** re-implemented, iid resampling, type 7 quantiles at 2.5% and 97.5%.
  EXPECT_EQ(a.bootstrap_resamples_used, 200);
  expect_close(a.sharpe_annualised_bootstrap_ci->lower, 0.29336270844611656, 1e-12, "iid lower");
  expect_close(a.sharpe_annualised_bootstrap_ci->upper, 13.266178696310828, 1e-12, "iid upper");

  options.bootstrap_seed = 43;
  const DailyStats other = daily_stats(c, options);
  EXPECT_NE(other.sharpe_annualised_bootstrap_ci->lower, a.sharpe_annualised_bootstrap_ci->lower);

  // Stationary bootstrap, mean block 3 days (python3 reference as above).
  options.bootstrap_seed = 42;
  options.bootstrap_mean_block_days = 3;
  const DailyStats blocks = daily_stats(c, options);
  expect_close(blocks.sharpe_annualised_bootstrap_ci->lower, 3.45424544158403, 1e-12, "stationary lower");
  expect_close(blocks.sharpe_annualised_bootstrap_ci->upper, 9.387015524718155, 1e-12, "stationary upper");
}

TEST(DailyStats, BootstrapCountsAllFlatResamplesAsZeroSharpe) {
  // One trading day in ten: (9/10)^10 = 35% of resamples are all flat; they count as Sharpe 0.
  const std::vector<double> sparse = {0, 0, 0, 0, 0, 0, 0, 250, 0, 0};
  DailyStatsOptions options;
  options.bootstrap_resamples = 500;
  options.bootstrap_seed = 7;
  const DailyStats s = daily_stats(sparse, options);
  EXPECT_EQ(s.bootstrap_resamples_used, 500);
  EXPECT_EQ(s.sharpe_annualised_bootstrap_ci->lower, 0.0);
  expect_close(s.sharpe_annualised_bootstrap_ci->upper, 9.859006035092989, 1e-12, "upper");
}

TEST(DailyStats, BootstrapAgreesRoughlyWithLoOnALongIidSeries) {
  // 500 days of uniform noise around a small edge: both intervals estimate the same spread.
  core::Xoshiro256 rng(3);
  std::vector<double> pnl;
  for (int i = 0; i < 500; ++i) pnl.push_back(std::round((rng.uniform01() - 0.45) * 10'000));
  DailyStatsOptions options;
  options.bootstrap_resamples = 4000;
  const DailyStats s = daily_stats(pnl, options);
  const double lo_width = s.sharpe_annualised_lo_ci->upper - s.sharpe_annualised_lo_ci->lower;
  const double boot_width = s.sharpe_annualised_bootstrap_ci->upper - s.sharpe_annualised_bootstrap_ci->lower;
  EXPECT_NEAR(boot_width / lo_width, 1.0, 0.1);
  EXPECT_NEAR(s.sharpe_annualised_bootstrap_ci->lower, s.sharpe_annualised_lo_ci->lower, 0.1 * lo_width);
  // python3 (same series, seed 1): Lo 2.3135418466076065 to 5.134441729767267, bootstrap
  // 2.3032918181656554 to 5.163810246655363 (width ratio 1.014).
  expect_close(s.sharpe_annualised_lo_ci->lower, 2.3135418466076065, 1e-12, "Lo lower");
  expect_close(s.sharpe_annualised_lo_ci->upper, 5.134441729767267, 1e-12, "Lo upper");
  expect_close(s.sharpe_annualised_bootstrap_ci->lower, 2.3032918181656554, 1e-12, "bootstrap lower");
  expect_close(s.sharpe_annualised_bootstrap_ci->upper, 5.163810246655363, 1e-12, "bootstrap upper");
}

TEST(DailyStats, DegenerateInputsGiveDefinedValues) {
  {
    const DailyStats s = daily_stats({});
    EXPECT_EQ(s.status, DailyStatsStatus::kNoDays);
    EXPECT_EQ(s.days, 0);
    EXPECT_FALSE(s.mean || s.sd || s.se || s.t_stat || s.p_value || s.sharpe_annualised || s.skewness);
    EXPECT_EQ(*s.max_drawdown, 0);
    EXPECT_EQ(significance_words(s), "no verdict: no days");
  }
  {
    const std::vector<double> one = {-250};
    const DailyStats s = daily_stats(one);
    EXPECT_EQ(s.status, DailyStatsStatus::kOneDay);
    EXPECT_EQ(*s.mean, -250);
    EXPECT_FALSE(s.sd || s.t_stat || s.p_value || s.sharpe_annualised || s.sharpe_annualised_lo_ci ||
                 s.sharpe_annualised_bootstrap_ci);
    EXPECT_EQ(*s.max_drawdown, 250);  // from the starting 0
    EXPECT_EQ(significance_words(s), "no verdict: 1 day (a spread needs 2)");
  }
  {
    const std::vector<double> never_trades(20, 0.0);
    const DailyStats s = daily_stats(never_trades);
    EXPECT_EQ(s.status, DailyStatsStatus::kZeroVariance);
    EXPECT_EQ(*s.mean, 0);
    EXPECT_EQ(*s.sd, 0);
    EXPECT_EQ(*s.se, 0);
    EXPECT_FALSE(s.t_stat || s.p_value || s.sharpe_per_day || s.sharpe_annualised ||
                 s.sharpe_annualised_lo_ci || s.sharpe_annualised_bootstrap_ci || s.skewness ||
                 s.excess_kurtosis);
    EXPECT_EQ(*s.max_drawdown, 0);
    EXPECT_EQ(significance_words(s), "no verdict: every one of the 20 days has the same P&L");
    EXPECT_FALSE(sharpe_sample(s).has_value());
  }
  {
    // 0.1 three times: exactly equal days, though a computed sd would round to about 1e-17.
    const std::vector<double> constant = {0.1, 0.1, 0.1};
    const DailyStats s = daily_stats(constant);
    EXPECT_EQ(s.status, DailyStatsStatus::kZeroVariance);
    EXPECT_EQ(*s.mean, 0.1);
    EXPECT_FALSE(s.t_stat.has_value());
  }
  for (const double bad : {kNaN, kInf, -kInf}) {
    const std::vector<double> pnl = {100, bad, -50, 30};
    const DailyStats s = daily_stats(pnl);
    EXPECT_EQ(s.status, DailyStatsStatus::kNonFinite);
    EXPECT_EQ(s.days, 4);
    EXPECT_EQ(s.non_finite_days, 1);
    EXPECT_FALSE(s.mean || s.sd || s.t_stat || s.p_value || s.sharpe_annualised || s.max_drawdown ||
                 s.skewness);
    EXPECT_EQ(significance_words(s), "no verdict: 1 of 4 daily values are not finite");
  }
}

TEST(DailyStats, InvalidOptionsAreBugs) {
  const std::vector<double> pnl = {1, 2, 3};
  DailyStatsOptions options;
  options.confidence = 1.0;
  EXPECT_DEATH((void)daily_stats(pnl, options), "confidence");
  options = {};
  options.bootstrap_mean_block_days = 0.5;
  EXPECT_DEATH((void)daily_stats(pnl, options), "bootstrap_mean_block_days");
}

TEST(SignificanceWords, ShowsPWithEnoughDigitsToKeepItsSide) {
  DailyStats s;
  s.status = DailyStatsStatus::kOk;
  s.days = 40;
  s.mean = 1.0;
  s.t_stat = 2.03;
  struct Row {
    double p;
    const char* words;
  };
  const Row rows[] = {
      {0.0496, "significant at 5% (t = 2.03, p = 0.0496, 40 days)"},  // 2 digits would read 0.05
      {0.0504, "not significant (t = 2.03, p = 0.050, 40 days)"},
      {0.00996, "significant at 1% (t = 2.03, p = 0.00996, 40 days)"},
      {0.41, "not significant (t = 2.03, p = 0.41, 40 days)"},
      {0.01, "significant at 5% (t = 2.03, p = 0.010, 40 days)"},
      {0.00004, "significant at 1% (t = 2.03, p < 0.0001, 40 days)"},
      {1.0, "not significant (t = 2.03, p = 1.0, 40 days)"},
  };
  for (const Row& r : rows) {
    s.p_value = r.p;
    EXPECT_EQ(significance_words(s), r.words) << "p = " << r.p;
    EXPECT_NE(std::string(r.words).find(format_p_value(r.p)), std::string::npos) << "p = " << r.p;
  }
  s.days = 19;
  s.p_value = 0.003;
  EXPECT_EQ(significance_words(s),
            "significant at 1% (t = 2.03, p = 0.0030, 19 days; too few days to judge)");
  s.days = 20;
  EXPECT_EQ(significance_words(s), "significant at 1% (t = 2.03, p = 0.0030, 20 days)");
}

// ---- Probabilistic and deflated Sharpe ratio ----------------------------------------------------

TEST(DeflatedSharpe, ReproducesThePapersExample) {
  // Bailey & López de Prado (2014), section 5: annualised SR 2.5 over T = 1250 daily returns
  // (5 years of 250 days), N = 100 trials with V[SR] = 1/2 annualised, skewness −3, kurtosis 10.
  // The paper gives E[max SR] ≈ 0.1132 per day and DSR ≈ 0.9004. python3 (NormalDist):
  // E[max] = 0.11317200186513214 (1.7894 annualised), z = 1.2838160365336546, DSR = 0.9003968344493904.
  const SharpeSample chosen{2.5 / std::sqrt(250.0), 1250, -3, 10};
  const auto d = deflated_sharpe(chosen, 0.5 / 250, 100);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_NEAR(d->expected_max_sharpe, 0.11317200186513214, 1e-14);
  EXPECT_NEAR(d->expected_max_sharpe * std::sqrt(250.0), 1.7894064662732077, 1e-13);
  EXPECT_NEAR(d->z, 1.2838160365336546, 1e-12);
  EXPECT_NEAR(d->dsr, 0.9003968344493904, 1e-13);
  EXPECT_NEAR(d->dsr, 0.9004, 5e-5);  // the paper's rounding
  EXPECT_EQ(d->trials, 100);
  // With 252 days a year the same inputs give 0.8997: the paper's 0.9004 needs 250.
  const SharpeSample with_252{2.5 / std::sqrt(252.0), 1250, -3, 10};
  EXPECT_NEAR(deflated_sharpe(with_252, 0.5 / 252, 100)->dsr, 0.8996723484977763, 1e-13);
}

TEST(DeflatedSharpe, ExpectedMaximumSharpe) {
  // python3: √V ((1 − γ) inv_cdf(1 − 1/N) + γ inv_cdf(1 − 1/(N e))).
  EXPECT_NEAR(*expected_max_sharpe(1, 10), 1.57459830134575, 1e-14);
  EXPECT_NEAR(*expected_max_sharpe(1, 2), 0.5197553442805939, 1e-14);
  EXPECT_NEAR(*expected_max_sharpe(0.01, 1000), 0.32551215136527234, 1e-14);
  EXPECT_EQ(*expected_max_sharpe(0.3, 1), 0.0);
  EXPECT_EQ(*expected_max_sharpe(0, 50), 0.0);
  EXPECT_FALSE(expected_max_sharpe(1, 0).has_value());
  EXPECT_FALSE(expected_max_sharpe(-0.1, 10).has_value());
  EXPECT_FALSE(expected_max_sharpe(kNaN, 10).has_value());
}

TEST(DeflatedSharpe, ProbabilisticSharpeAndTrialList) {
  // python3: z = (SR − SR*) √(T − 1) / √(1 − γ3 SR + (γ4 − 1)/4 SR²), PSR = Φ(z).
  EXPECT_NEAR(*probabilistic_sharpe({0.1, 100, 0, 3}, 0), 0.8395254171844497, 1e-14);
  EXPECT_NEAR(*probabilistic_sharpe({0.1, 100, -1, 6}, 0.05), 0.681418566329771, 1e-14);
  // Five trials: sample variance 0.00217, E[max] 0.055554914987123546, chosen SR 0.1 over 250
  // days with skewness −0.5 and kurtosis 5: z 0.6811934794754427, DSR 0.7521254633117231.
  const std::vector<double> trials = {0.05, 0.1, -0.02, 0.08, 0.03};
  const auto d = deflated_sharpe({0.1, 250, -0.5, 5}, trials);
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(d->trial_sharpe_variance, 0.00217, 1e-15);
  EXPECT_NEAR(d->expected_max_sharpe, 0.055554914987123546, 1e-14);
  EXPECT_NEAR(d->z, 0.6811934794754427, 1e-12);
  EXPECT_NEAR(d->dsr, 0.7521254633117231, 1e-13);
  // One trial: no selection, DSR = PSR(0).
  const std::vector<double> single = {0.1};
  EXPECT_DOUBLE_EQ(deflated_sharpe({0.1, 100, 0, 3}, single)->dsr,
                   *probabilistic_sharpe({0.1, 100, 0, 3}, 0));
}

TEST(DeflatedSharpe, RefusesInputsWithoutAnAnswer) {
  EXPECT_FALSE(probabilistic_sharpe({0.1, 1, 0, 3}, 0).has_value());
  const auto radicand = probabilistic_sharpe({1.0, 100, 3, 3}, 0);  // 1 − 3 + 0.5 < 0
  ASSERT_FALSE(radicand.has_value());
  EXPECT_NE(radicand.error().message.find("is not positive"), std::string::npos) << radicand.error().message;
  EXPECT_FALSE(probabilistic_sharpe({kNaN, 100, 0, 3}, 0).has_value());
  EXPECT_FALSE(deflated_sharpe({0.1, 100, 0, 3}, std::vector<double>{}).has_value());
  EXPECT_FALSE(deflated_sharpe({0.1, 100, 0, 3}, std::vector<double>{0.1, kNaN}).has_value());
}

TEST(DeflatedSharpe, SampleFromDailyStats) {
  DailyStatsOptions options;
  options.bootstrap_resamples = 0;
  const DailyStats s = daily_stats(series_c(), options);
  const auto sample = sharpe_sample(s);
  ASSERT_TRUE(sample.has_value());
  EXPECT_EQ(sample->observations, 40);
  EXPECT_DOUBLE_EQ(sample->sharpe, *s.sharpe_per_day);
  EXPECT_DOUBLE_EQ(sample->skewness, -0.689915899716624);
  EXPECT_DOUBLE_EQ(sample->kurtosis, -1.4456865849835143 + 3);
}

// ---- Probability of backtest overfitting ---------------------------------------------------------

// rows x periods of uniform01() − 0.5 from Xoshiro256(seed), trial by trial.
std::vector<std::vector<double>> noise(std::uint64_t seed, int rows, int periods) {
  core::Xoshiro256 rng(seed);
  std::vector<std::vector<double>> m(static_cast<std::size_t>(rows));
  for (auto& row : m) {
    for (int i = 0; i < periods; ++i) row.push_back(rng.uniform01() - 0.5);
  }
  return m;
}

TEST(Pbo, TwoTrialsThatSwapAreAlwaysOverfit) {
  // Blocks [1, 2] | [−1, −2] and the mirror: the in-sample best is the out-of-sample worst,
  // rank 1 of 2, ω = 1/3, λ = ln ½, in both splits.
  const std::vector<std::vector<double>> m = {{1, 2, -1, -2}, {-1, -2, 1, 2}};
  for (const PboMetric metric : {PboMetric::kSharpe, PboMetric::kMean}) {
    const auto r = pbo_cscv(m, 2, metric);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->splits, 2);
    EXPECT_EQ(r->pbo, 1.0);
    ASSERT_EQ(r->logits.size(), 2u);
    EXPECT_DOUBLE_EQ(r->logits[0], std::log(0.5));
    EXPECT_DOUBLE_EQ(r->logits[1], std::log(0.5));
  }
}

TEST(Pbo, ADominantTrialIsNeverOverfit) {
  auto m = noise(5, 10, 240);
  for (double& x : m[3]) x += 1.0;
  const auto r = pbo_cscv(m, 10);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->splits, 252);  // C(10, 5)
  EXPECT_EQ(r->pbo, 0.0);
  for (const double l : r->logits) EXPECT_DOUBLE_EQ(l, std::log(10.0));  // best of 10: ω = 10/11
}

TEST(Pbo, PureNoiseIsOverfitAboutHalfTheTime) {
  // python3 (xoshiro256** and CSCV written out): seed 7, 10 trials x 240 periods, 10 blocks:
  // 159 of 252 splits have λ <= 0.
  const auto one = pbo_cscv(noise(7, 10, 240), 10);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->trials, 10);
  EXPECT_EQ(one->periods, 240);
  EXPECT_DOUBLE_EQ(one->pbo, 159.0 / 252.0);
  EXPECT_NEAR(one->logits[0], -1.504077396776274, 1e-12);
  EXPECT_NEAR(one->logits[2], std::log(0.1), 1e-12);  // the in-sample best was the worst of 10 out of sample

  // One matrix's PBO varies a lot (its splits share data); over 40 seeds (10 x 200, 8 blocks)
  // python3 counts 1,504 overfit splits of 2,800: 0.537.
  std::int64_t overfit = 0, splits = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const auto r = pbo_cscv(noise(seed, 10, 200), 8);
    ASSERT_TRUE(r.has_value());
    overfit += std::llround(r->pbo * static_cast<double>(r->splits));
    splits += r->splits;
  }
  EXPECT_EQ(splits, 2800);
  EXPECT_EQ(overfit, 1504);
}

TEST(Pbo, UnevenBlocksAndConstantTrials) {
  // 7 periods in 2 blocks: [0, 4) and [4, 7). Trial 1 never trades (all 0), trial 0 wins once
  // in each block; trial 2 loses in block 0 and wins in block 1.
  const std::vector<std::vector<double>> m = {
      {0, 5, 0, 0, 0, 5, 0}, {0, 0, 0, 0, 0, 0, 0}, {-1, -1, -1, -1, 3, 3, 3}};
  const auto r = pbo_cscv(m, 2);
  ASSERT_TRUE(r.has_value());
  // Mask 1 (block 0 in sample): best trial 0 (Sharpe > 0 = trial 1 > trial 2's −inf); out of
  // sample trial 2 is +inf, trial 0 positive, trial 1 0: rank 2 of 3, ω = 1/2, λ = 0 (overfit).
  // Mask 2 (block 1 in sample): best trial 2 (+inf); out of sample −inf: rank 1, λ = ln(1/3).
  ASSERT_EQ(r->logits.size(), 2u);
  EXPECT_DOUBLE_EQ(r->logits[0], 0.0);
  EXPECT_DOUBLE_EQ(r->logits[1], std::log(1.0 / 3.0));
  EXPECT_EQ(r->pbo, 1.0);
}

TEST(Pbo, TiesShareTheirMeanRank) {
  // Three trials that never trade: the first is the in-sample best (first on a tie) and ties
  // with both others out of sample: rank 1 + 2/2 = 2 of 3, ω = 1/2, λ = 0, so every split counts
  // as overfit. Two trials equal out of sample below a third: rank 1.5, ω = 3/8.
  const std::vector<std::vector<double>> flat(3, std::vector<double>(8, 0.0));
  const auto r = pbo_cscv(flat, 4);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->splits, 6);
  EXPECT_EQ(r->pbo, 1.0);
  for (const double l : r->logits) EXPECT_EQ(l, 0.0);
  const std::vector<std::vector<double>> m = {{1, 1, 0, 0}, {0, 0, 0, 0}, {0, 0, 2, 2}};
  const auto t = pbo_cscv(m, 2, PboMetric::kMean);
  ASSERT_TRUE(t.has_value());
  // Mask 1: best trial 0 (mean 1); out of sample 0, 0, 2: ties trial 1, below trial 2: rank 1.5.
  EXPECT_DOUBLE_EQ(t->logits[0], std::log(0.375 / 0.625));
}

TEST(Pbo, RefusesBadInputsNamingTheValue) {
  const auto m = noise(1, 4, 40);
  const auto too_many = pbo_cscv(m, 18);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(
      too_many.error().message,
      "PBO needs an even number of blocks from 2 to 16 (C(16, 8) = 12,870 splits bounds the work), was 18");
  EXPECT_FALSE(pbo_cscv(m, 7).has_value());
  EXPECT_FALSE(pbo_cscv(m, 0).has_value());
  EXPECT_TRUE(pbo_cscv(m, 16).has_value());
  EXPECT_FALSE(pbo_cscv(noise(1, 1, 40), 4).has_value());
  EXPECT_FALSE(pbo_cscv(noise(1, 4, 5), 6).has_value());
  auto ragged = m;
  ragged[2].pop_back();
  EXPECT_EQ(pbo_cscv(ragged, 4).error().message, "PBO: trial 2 has 39 periods, trial 0 has 40");
  auto nan = m;
  nan[1][7] = kNaN;
  EXPECT_EQ(pbo_cscv(nan, 4).error().message, "PBO: trial 1 period 7 is nan, expected a finite value");
}

// ---- Across seeds -------------------------------------------------------------------------------

TEST(SeedDistribution, SummarizesWithType7Quartiles) {
  const std::vector<double> three = {7, 1, 3};
  const SeedDistribution d = summarize(three);
  ASSERT_TRUE(d.has_figures());
  EXPECT_EQ(d.count, 3);
  EXPECT_EQ(d.min, 1);
  EXPECT_EQ(d.q1, 2);
  EXPECT_EQ(d.median, 3);
  EXPECT_EQ(d.q3, 5);
  EXPECT_EQ(d.max, 7);
  EXPECT_DOUBLE_EQ(d.mean, 11.0 / 3.0);
  // README's fold 2, seeds 0-3, in dollars: 0, 2114, 5123, 3557.
  const std::vector<double> fold2 = {0, 2114, 5123, 3557};
  const SeedDistribution f = summarize(fold2);
  EXPECT_DOUBLE_EQ(f.q1, 1585.5);  // sorted 0, 2114, 3557, 5123; h = 0.75
  EXPECT_DOUBLE_EQ(f.median, 2835.5);
  EXPECT_DOUBLE_EQ(f.q3, 3948.5);  // h = 2.25
  EXPECT_DOUBLE_EQ(f.mean, 2698.5);

  const SeedDistribution empty = summarize({});
  EXPECT_FALSE(empty.has_figures());
  EXPECT_EQ(empty.count, 0);
  const std::vector<double> with_nan = {1, kNaN};
  const SeedDistribution bad = summarize(with_nan);
  EXPECT_FALSE(bad.has_figures());
  EXPECT_EQ(bad.count, 2);
  EXPECT_EQ(bad.non_finite, 1);
}

TEST(SeedDistribution, SharesOfSeedsBeatingABaselineAndNeverTrading) {
  const std::vector<double> fold2 = {0, 2114, 5123, 3557};
  const Share vs_flat = share_beating(fold2, 0.0);  // the tie with always-flat does not beat it
  EXPECT_EQ(vs_flat.count, 3);
  EXPECT_EQ(vs_flat.of, 4);
  EXPECT_DOUBLE_EQ(*vs_flat.fraction(), 0.75);
  EXPECT_EQ(share_beating(fold2, -3925.0).count, 4);
  const std::vector<double> baselines = {0, 2200, -10, 3557};
  EXPECT_EQ(share_beating(fold2, baselines).count, 1);
  const std::vector<double> with_nan = {kNaN, 1};
  EXPECT_EQ(share_beating(with_nan, 0.0).count, 1);
  const std::vector<std::int64_t> trades = {0, 35, 41, 0, 12};
  const Share never = share_never_trading(trades);
  EXPECT_EQ(never.count, 2);
  EXPECT_EQ(never.of, 5);
  EXPECT_DOUBLE_EQ(*never.fraction(), 0.4);
  EXPECT_FALSE(share_never_trading({}).fraction().has_value());
}

}  // namespace
}  // namespace daytrader::backtest
