#pragma once
// A small, fast, seedable random generator with a fixed algorithm (xoshiro256**, seeded through
// splitmix64), so that a seed gives the same stream on every platform and standard library:
// std::shuffle and std::uniform_*_distribution are implementation-defined and are not used.

#include <cstddef>
#include <cstdint>
#include <span>

namespace daytrader::rl {

class Rng {
 public:
  // `stream` separates independent streams drawn from one user seed (sampling, shuffling, ...).
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept { reseed(seed, stream); }

  void reseed(std::uint64_t seed, std::uint64_t stream = 0) noexcept {
    std::uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (auto& s : s_) s = splitmix64(x);
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

  // Uniform integer in [0, n), unbiased (rejection). n > 0.
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t limit = (~std::uint64_t{0} - n + 1) % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t r = next_u64();
      if (r >= limit) return r % n;
    }
  }

  // Fills `out` with a uniformly random permutation of 0 .. out.size()-1 (Fisher-Yates).
  template <typename Index>
  void permutation(std::span<Index> out) noexcept {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<Index>(i);
    for (std::size_t i = out.size(); i > 1; --i) {
      const std::size_t j = below(i);
      const Index tmp = out[i - 1];
      out[i - 1] = out[j];
      out[j] = tmp;
    }
  }

  // The full state, for checkpoints.
  [[nodiscard]] const std::uint64_t* state() const noexcept { return s_; }
  void set_state(const std::uint64_t (&s)[4]) noexcept {
    for (int i = 0; i < 4; ++i) s_[i] = s[i];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4]{};
};

}  // namespace daytrader::rl
