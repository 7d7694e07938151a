#pragma once
// PPO's random streams (action sampling, minibatch shuffling) on the project's fixed engine.

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/xoshiro256.h"

namespace daytrader::rl {

// The project's engine with named streams and a shuffle for minibatches.
class Rng : public core::Xoshiro256 {
 public:
  // `stream` separates independent streams drawn from one user seed (sampling, shuffling, ...).
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept { reseed(seed, stream); }

  void reseed(std::uint64_t seed, std::uint64_t stream = 0) noexcept {
    seed_with(seed ^ (stream * 0xD1B54A32D192ED03ULL));
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
};

}  // namespace daytrader::rl
