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

namespace daytrader::gen {

// Natural exponential and logarithm, within 2 ulp of glibc (measured), reproducible everywhere.
[[nodiscard]] double det_exp(double x) noexcept;
[[nodiscard]] double det_log(double x) noexcept;  // x > 0; returns -inf for 0, NaN below

// SplitMix64 (Steele, Lea, Flood 2014): expands a 64-bit seed into well-mixed words.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Combines a base seed with a stream number (e.g. the session index) into a new seed.
[[nodiscard]] constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  std::uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
  (void)splitmix64(s);
  return splitmix64(s);
}

// xoshiro256** 1.0 (Blackman, Vigna 2018) with a few distributions of its own.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept;

  [[nodiscard]] std::uint64_t next_u64() noexcept;
  // Uniform in [0, 1), 53 random bits.
  [[nodiscard]] double uniform() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  }
  // Uniform in (0, 1]: safe to take the logarithm of.
  [[nodiscard]] double uniform_pos() noexcept {
    return static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53;
  }
  [[nodiscard]] bool bernoulli(double p) noexcept { return uniform() < p; }
  // Standard normal (Marsaglia's polar method; the second value is kept for the next call).
  [[nodiscard]] double normal() noexcept;
  // Exponential with mean 1.
  [[nodiscard]] double exponential() noexcept { return -det_log(uniform_pos()); }
  // Integer in [0, n), n > 0 (Lemire's multiply-shift with rejection, unbiased).
  [[nodiscard]] std::uint64_t below(std::uint64_t n) noexcept;

 private:
  std::uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace daytrader::gen
