#include "gen/random.h"

#include <bit>
#include <cmath>
#include <limits>

namespace daytrader::gen {

namespace {
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;

}  // namespace

namespace {

// Reference versions: plain series after a power-of-two reduction. Accurate to about 1 ulp but
// slow; they fill the tables of the fast versions below.
double series_exp(double x) noexcept {
  // x = k ln2 + r with |r| <= ln2 / 2, then e^x = 2^k e^r; Taylor to degree 13 (error < 1e-17).
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  constexpr double kInvFact[] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                                 1.0 / 362880.0,    1.0 / 40320.0,    1.0 / 5040.0,
                                 1.0 / 720.0,       1.0 / 120.0,      1.0 / 24.0,
                                 1.0 / 6.0,         1.0 / 2.0,        1.0,
                                 1.0};
  for (double c : kInvFact) p = p * r + c;
  return std::ldexp(p, static_cast<int>(k));
}

double series_log(double x) noexcept {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1)
  if (m < kSqrtHalf) {
    m *= 2.0;
    e -= 1;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716; 12 odd terms.
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  double series = 1.0 / 25.0;
  for (int n = 23; n >= 1; n -= 2) series = series * s2 + 1.0 / n;
  const double de = static_cast<double>(e);
  return de * kLn2Hi + (2.0 * s * series + de * kLn2Lo);
}

// 2^(j/64) for exp, and log(1 + (i + 0.5)/128) for log.
constexpr int kExpBits = 6;
constexpr int kExpN = 1 << kExpBits;
constexpr int kLogBits = 7;
constexpr int kLogN = 1 << kLogBits;

// Buckets from this one on hold mantissas >= 1.414: they are halved (and the exponent raised) so
// that the reduced argument lies in about [0.707, 1.414) and log(x) near 1 does not cancel.
constexpr int kLogHalfFrom = 53;

struct Tables {
  double exp2_frac[kExpN];
  double log_centre[kLogN];  // log of the bucket centre (halved from kLogHalfFrom on)
  double centre[kLogN];      // the bucket centre in [1, 2)
  Tables() noexcept {
    for (int j = 0; j < kExpN; ++j) exp2_frac[j] = series_exp(j * (kLn2Hi / kExpN) + j * (kLn2Lo / kExpN));
    for (int i = 0; i < kLogN; ++i) {
      centre[i] = 1.0 + (i + 0.5) / kLogN;
      log_centre[i] = series_log(i >= kLogHalfFrom ? 0.5 * centre[i] : centre[i]);
    }
  }
};

const Tables& tables() noexcept {
  static const Tables t;
  return t;
}

// 2^k as a double for k in the normal range, built from its bits (exact).
double pow2(std::int64_t k) noexcept {
  return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

}  // namespace

double det_exp(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0.0;
  // x = (64 q + j) ln2 / 64 + r, |r| <= ln2 / 128: e^x = 2^q 2^(j/64) e^r.
  const double kd = std::floor(x * (kInvLn2 * kExpN) + 0.5);
  const double r = (x - kd * (kLn2Hi / kExpN)) - kd * (kLn2Lo / kExpN);
  const auto k = static_cast<std::int64_t>(kd);
  const std::int64_t q = k >> kExpBits;  // floor division
  const int j = static_cast<int>(k - q * kExpN);
  // e^r to degree 5 (|r| <= 0.0055: truncation < 4e-17).
  const double p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0)))));
  const double y = tables().exp2_frac[j] * p;
  if (q > -1022 && q < 1023) return y * pow2(q);
  return std::ldexp(y, static_cast<int>(q));
}

double det_log(double x) noexcept {
  if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  if (!std::isnormal(x)) return series_log(x);  // subnormal
  if (x > 1.0 - 1.0 / 64 && x < 1.0 + 1.0 / 64) {
    // Near 1 directly, so that log(x) keeps its relative accuracy: log(1 + f) as its Taylor
    // series, written as f minus a small correction (|f| < 1/64: ten terms).
    const double f = x - 1.0;  // exact
    const double tail =
        f * (1.0 / 3 - f * (1.0 / 4 - f * (1.0 / 5 - f * (1.0 / 6 - f * (1.0 / 7 - f * (1.0 / 8 - f * (1.0 / 9 - f / 10)))))));
    return f - f * f * (0.5 - tail);
  }
  // x = 2^e m, m in [1, 2); m = c (1 + ...) with c the centre of m's 1/128 bucket.
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int i = static_cast<int>((bits >> (52 - kLogBits)) & (kLogN - 1));
  const auto e = static_cast<std::int64_t>(bits >> 52) - 1023 + (i >= kLogHalfFrom ? 1 : 0);
  const double m = std::bit_cast<double>((bits & 0x000F'FFFF'FFFF'FFFFull) | 0x3FF0'0000'0000'0000ull);
  const Tables& t = tables();
  // log(m / c) = 2 atanh(s), s = (m - c) / (m + c), |s| <= 1/512: four odd terms. Halving m and
  // c together leaves s unchanged, so only the table entry differs for the upper buckets.
  const double s = (m - t.centre[i]) / (m + t.centre[i]);
  const double s2 = s * s;
  const double atanh2 = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0))));
  const double de = static_cast<double>(e);
  return de * kLn2Hi + (t.log_centre[i] + (atanh2 + de * kLn2Lo));
}

double Rng::normal() noexcept {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  double u = 0.0, v = 0.0, s = 0.0;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * det_log(s) / s);
  spare_normal_ = v * f;
  has_spare_ = true;
  return u * f;
}

}  // namespace daytrader::gen
