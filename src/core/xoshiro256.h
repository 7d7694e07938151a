#pragma once
// xoshiro256** 1.0 (Blackman, Vigna 2018) seeded through SplitMix64 (Steele, Lea, Flood 2014):
// the one random engine of the project. Its algorithm is fixed, so a seed gives the same stream
// on every platform and standard library (std::*_distribution and std::shuffle are
// implementation-defined and are not used). The synthetic market and PPO build their
// distributions on top of it.

#include <cstdint>

namespace daytrader::core {

// Expands a 64-bit state into well-mixed words, advancing the state.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed = 0) noexcept { seed_with(seed); }

  // The four state words are splitmix64(seed), splitmix64 again, ...
  void seed_with(std::uint64_t seed) noexcept {
    for (auto& w : s_) w = splitmix64(seed);
  }

  std::uint64_t next_u64() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform01() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0: the top (2^64 mod n) values are rejected so that every
  // residue is equally likely.
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const std::uint64_t r = next_u64();
      if (r >= threshold) return r % n;
    }
  }

  // The full state, for checkpoints.
  [[nodiscard]] const std::uint64_t* state() const noexcept { return s_; }
  void set_state(const std::uint64_t (&s)[4]) noexcept {
    for (int i = 0; i < 4; ++i) s_[i] = s[i];
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace daytrader::core
