#pragma once
// Deterministic random numbers for the synthetic market.
//
// The standard library's engines are specified bit for bit, but its distributions
// (std::normal_distribution and friends) are not: libstdc++, libc++ and MSVC turn the same
// engine output into different numbers. The generator therefore uses its own engine
// (xoshiro256**, seeded through SplitMix64) and its own distributions. They are built only
// from IEEE-754 operations that are exactly rounded (+, -, *, /, sqrt) and exact helpers
// (floor, frexp, ldexp); `exp` and `log` below are our own polynomials, so the output does not
// depend on the platform's libm either. The project builds in ISO C++ mode
// (CMAKE_CXX_EXTENSIONS OFF), where g++ does not contract a*b+c into an FMA, so the same seed
// gives the same bytes on any IEEE-754 platform.

#include <cstdint>

#include "core/xoshiro256.h"

namespace daytrader::gen {

// Natural exponential and logarithm, within 2 ulp of glibc (measured), reproducible everywhere.
[[nodiscard]] double det_exp(double x) noexcept;
[[nodiscard]] double det_log(double x) noexcept;  // x > 0; returns -inf for 0, NaN below

using core::splitmix64;

// Combines a base seed with a stream number (e.g. the session index) into a new seed.
[[nodiscard]] constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  std::uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
  (void)splitmix64(s);
  return splitmix64(s);
}

// The project's engine (core::Xoshiro256) with a few distributions of its own.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept : engine_(seed) {}

  [[nodiscard]] std::uint64_t next_u64() noexcept { return engine_.next_u64(); }
  // Uniform in [0, 1), 53 random bits.
  [[nodiscard]] double uniform() noexcept { return engine_.uniform01(); }
  // Uniform in (0, 1]: safe to take the logarithm of.
  [[nodiscard]] double uniform_pos() noexcept {
    return static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53;
  }
  [[nodiscard]] bool bernoulli(double p) noexcept { return uniform() < p; }
  // Standard normal (Marsaglia's polar method; the second value is kept for the next call).
  [[nodiscard]] double normal() noexcept;
  // Exponential with mean 1.
  [[nodiscard]] double exponential() noexcept { return -det_log(uniform_pos()); }
  // Integer in [0, n), n > 0, unbiased (rejection of the top 2^64 mod n values).
  [[nodiscard]] std::uint64_t below(std::uint64_t n) noexcept { return engine_.below(n); }

 private:
  core::Xoshiro256 engine_;
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace daytrader::gen
