// Data-parallel PPO across MPI ranks (rl/ppo_trainer.h), run by ctest as `mpirun -np 2`:
//
// 1. After training, every rank holds the same weights, bit for bit (a checksum of each rank's
//    weights, compared across ranks by this test, not by the trainer's own check), and training
//    again on the same ranks gives the same bits.
// 2. The ranks' run equals a one-process run with the same global batch (the same environments,
//    num_envs, n_steps and batch_size), computed on rank 0 after it: the same episodes (every
//    sampled action the same, so the same rewards) and weights within kWeightTolerance. The two
//    differ only in the order floating-point sums are taken: a minibatch's gradient is summed per
//    rank and then across ranks instead of in one pass, and advantage statistics likewise; each
//    such sum differs in its last bits (~1e-7 relative in float), and Adam's steps carry that
//    through ~100 updates of the weights. 1e-4 is far above that and far below any difference a
//    wrong share, scale or permutation makes (those change weights at 1e-2 and more: checked by
//    the deliberately wrong variant below).
// 3. The check has power: training the same ranks with each rank's environments seeded as if
//    it were alone (a bug: every rank steps the same environments) must differ from the
//    one-process run by more than the tolerance.
//
// Exits 0 on success; prints what differs and exits 1 otherwise (mpirun then exits non-zero).

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "../rl/test_envs.h"
#include "dist/comm.h"
#include "rl/ppo_trainer.h"

namespace {

using daytrader::rl::PolicyWeights;
using daytrader::rl::PpoConfig;
using daytrader::rl::PpoTrainer;
using daytrader::rl::testing::ContextBanditEnv;

constexpr double kWeightTolerance = 1e-4;
constexpr std::uint64_t kSeed = 11;
constexpr std::int64_t kEpisodeLength = 16;
constexpr std::size_t kStates = 3;

PpoConfig config() {
  PpoConfig c;
  c.num_envs = 4;
  c.n_steps = 64;
  c.batch_size = 64;  // 256 samples a rollout: 4 minibatches, each split between the ranks
  c.n_epochs = 4;
  c.total_timesteps = 256 * 6;
  c.ent_coef = 0.01;
  c.seed = kSeed;
  c.torch_threads = 1;
  return c;
}

struct Run {
  PolicyWeights weights;
  std::vector<double> episode_rewards;  // ep_rew_mean after each update
};

Run train(daytrader::rl::ReduceGroup* group, std::size_t first_env_seed_offset) {
  const PpoConfig c = config();
  const int ranks = group != nullptr ? group->size() : 1;
  const auto local = static_cast<std::size_t>(c.num_envs / ranks);
  ContextBanditEnv env(local, kSeed + first_env_seed_offset, kEpisodeLength, kStates);
  PpoTrainer trainer(env, c, {}, group);
  Run r;
  for (const auto& m : trainer.learn()) r.episode_rewards.push_back(m.ep_rew_mean);
  r.weights = trainer.weights();
  return r;
}

std::uint64_t checksum(const PolicyWeights& w) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& t : w.tensors())
    for (const float x : t.data) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, &x, sizeof bits);
      h = (h ^ bits) * 1099511628211ULL;
    }
  return h;
}

double max_difference(const PolicyWeights& a, const PolicyWeights& b) {
  double d = 0;
  const auto ta = a.tensors();
  const auto tb = b.tensors();
  for (std::size_t i = 0; i < ta.size(); ++i)
    for (std::size_t j = 0; j < ta[i].data.size(); ++j)
      d = std::max(d, std::abs(static_cast<double>(ta[i].data[j]) - static_cast<double>(tb[i].data[j])));
  return d;
}

}  // namespace

int main() {
  auto& world = daytrader::dist::world();
  if (world.size() < 2) {
    std::fprintf(stderr, "data_parallel_mpi: run me under mpirun with 2 or more ranks\n");
    return 1;
  }
  const auto local = static_cast<std::size_t>(config().num_envs / world.size());
  const Run shared = train(&world, local * static_cast<std::size_t>(world.rank()));

  // 1. Every rank's weights, compared by their checksums (the high 52 bits, exact in a double).
  std::vector<double> sums(static_cast<std::size_t>(world.size()), 0.0);
  sums[static_cast<std::size_t>(world.rank())] = static_cast<double>(checksum(shared.weights) >> 12);
  world.allreduce_sum(sums, "the test's checksums");
  bool ok = true;
  for (std::size_t r = 1; r < sums.size(); ++r) {
    if (sums[r] != sums[0]) {
      ok = false;
      if (world.is_root()) fmt::print(stderr, "FAIL: rank {}'s weights differ from rank 0's\n", r);
    }
  }

  // The same ranks again give the same bits (the reductions run in a fixed order).
  const Run again = train(&world, local * static_cast<std::size_t>(world.rank()));
  if (checksum(again.weights) != checksum(shared.weights)) {
    ok = false;
    fmt::print(stderr, "FAIL: rank {}: a second run on the same ranks gave other weights\n", world.rank());
  }

  // 3's run: every rank seeded as rank 0 (collective, so before rank 0 works alone).
  const Run wrong = train(&world, 0);

  if (world.is_root()) {
    const Run alone = train(nullptr, 0);
    // 2. The same episodes and, to the tolerance, the same weights.
    const double diff = max_difference(shared.weights, alone.weights);
    fmt::print("data-parallel ({} ranks) vs one process: largest weight difference {:.3g} (tolerance {:.0e}); "
               "{} updates\n", world.size(), diff, kWeightTolerance, alone.episode_rewards.size());
    if (!(diff <= kWeightTolerance)) {
      ok = false;
      fmt::print(stderr, "FAIL: weights differ by {:.3g} > {:.0e}\n", diff, kWeightTolerance);
    }
    if (shared.episode_rewards.size() != alone.episode_rewards.size()) {
      ok = false;
      fmt::print(stderr, "FAIL: {} updates against {}\n", shared.episode_rewards.size(), alone.episode_rewards.size());
    } else {
      for (std::size_t i = 0; i < alone.episode_rewards.size(); ++i) {
        if (shared.episode_rewards[i] != alone.episode_rewards[i]) {
          ok = false;
          fmt::print(stderr, "FAIL: update {}: mean episode reward {} against {}\n", i + 1, shared.episode_rewards[i],
                     alone.episode_rewards[i]);
        }
      }
    }
    // 3. Power: the wrongly seeded ranks must not pass the same comparison.
    const double wrong_diff = max_difference(wrong.weights, alone.weights);
    fmt::print("wrongly seeded ranks vs one process: largest weight difference {:.3g}\n", wrong_diff);
    if (wrong_diff <= kWeightTolerance) {
      ok = false;
      fmt::print(stderr, "FAIL: the comparison cannot tell wrongly seeded ranks ({:.3g}) from right ones\n", wrong_diff);
    }
  }
  std::vector<double> verdict{ok ? 0.0 : 1.0};
  world.allreduce_sum(verdict, "the test's verdict");
  daytrader::dist::finalize();
  if (world.is_root()) fmt::print("{}\n", verdict[0] == 0 ? "1 passed, 0 failed" : "0 passed, 1 failed");
  return verdict[0] == 0 ? 0 : 1;
}
