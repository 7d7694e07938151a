// Data-parallel PPO over MPI ranks: env-steps/s of the whole job and the time each update spends
// in the gradient allreduce, at the main job's layout (16 environments x 256 steps, 1024-sample
// minibatches, 4 epochs: 16 gradient allreduces per update) on the near-free dummy environment, so
// that what scales is PPO itself. Run it once per rank count and compare:
//
//   mpirun -np 1 build/bench/bench_dist      mpirun -np 2 build/bench/bench_dist
//
// (as root: --allow-run-as-root). Target on the 2-core machine: 2 ranks >= 1.8x 1 rank. A plain
// program rather than Google Benchmark: every rank must run the same iterations in step.
// Options: --updates N (default 60), --warmup N (5), --envs N (16).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <fmt/format.h>

#include "dist/comm.h"
#include "dummy_env.h"
#include "rl/ppo_trainer.h"

namespace {

using namespace daytrader;
using Clock = std::chrono::steady_clock;

// The world, with the time spent in each kind of allreduce added up.
class TimedGroup final : public rl::ReduceGroup {
 public:
  explicit TimedGroup(dist::Comm& comm) : comm_(comm) {}
  [[nodiscard]] int rank() const noexcept override { return comm_.rank(); }
  [[nodiscard]] int size() const noexcept override { return comm_.size(); }
  void allreduce_sum(std::span<float> data, std::string_view what) override {
    const auto t0 = Clock::now();
    comm_.allreduce_sum(data, what);
    add(what, t0, data.size_bytes());
  }
  void allreduce_sum(std::span<double> data, std::string_view what) override {
    const auto t0 = Clock::now();
    comm_.allreduce_sum(data, what);
    add(what, t0, data.size_bytes());
  }
  struct Tally {
    double seconds = 0;
    std::int64_t calls = 0;
    std::size_t bytes = 0;
  };
  std::map<std::string, Tally, std::less<>> tallies;
  void reset() { tallies.clear(); }

 private:
  void add(std::string_view what, Clock::time_point t0, std::size_t bytes) {
    auto& t = tallies[std::string(what)];
    t.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    ++t.calls;
    t.bytes = bytes;
  }
  dist::Comm& comm_;
};

std::int64_t arg(int argc, char** argv, const char* name, std::int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  auto& world = dist::world();
  const std::int64_t updates = arg(argc, argv, "--updates", 60);
  const std::int64_t warmup = arg(argc, argv, "--warmup", 5);
  rl::PpoConfig c;
  c.num_envs = arg(argc, argv, "--envs", 16);
  c.n_steps = 256;
  c.batch_size = 1024;
  c.n_epochs = 4;
  c.total_timesteps = std::int64_t{1} << 50;
  c.torch_threads = 1;
  if (c.num_envs % world.size() != 0) {
    std::fprintf(stderr, "bench_dist: --envs %lld is not a multiple of %d ranks\n", static_cast<long long>(c.num_envs),
                 world.size());
    return 1;
  }
  bench::DummyEnv env(static_cast<std::size_t>(c.num_envs / world.size()));
  TimedGroup group(world);
  rl::PpoTrainer trainer(env, c, {}, world.size() > 1 ? &group : nullptr);
  for (std::int64_t i = 0; i < warmup; ++i) (void)trainer.iterate();
  group.reset();
  world.barrier("the benchmark's start");
  const auto t0 = Clock::now();
  double rollout = 0, train = 0;
  for (std::int64_t i = 0; i < updates; ++i) {
    const auto m = trainer.iterate();
    rollout += m->rollout_seconds;
    train += m->train_seconds;
  }
  world.barrier("the benchmark's end");
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (world.is_root()) {
    const double steps = static_cast<double>(updates * c.n_steps * c.num_envs);
    fmt::print("ranks {}  ({}; {} environments, {} per rank, 256 steps, batch 1024, 4 epochs, {} updates)\n",
               world.size(), dist::mpi_description(), c.num_envs, c.num_envs / world.size(), updates);
    fmt::print("env-steps/s {:.0f}  ({:.1f} ms per update: rollout {:.1f} ms, update {:.1f} ms)\n", steps / secs,
               1e3 * secs / static_cast<double>(updates), 1e3 * rollout / static_cast<double>(updates),
               1e3 * train / static_cast<double>(updates));
    for (const auto& [what, t] : group.tallies)
      fmt::print("allreduce {:<40} {:>6.2f} calls/update  {:>8} bytes  {:>8.1f} us/call  {:>7.3f} ms/update\n", what,
                 static_cast<double>(t.calls) / static_cast<double>(updates), t.bytes,
                 1e6 * t.seconds / static_cast<double>(t.calls), 1e3 * t.seconds / static_cast<double>(updates));
  }
  dist::finalize();
  return 0;
}
