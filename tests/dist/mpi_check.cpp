// Checks of dist::Comm and the job pool across real MPI ranks, run by the dist.mpi.* tests as
// `mpirun -np 2 dist_mpi_check SCENARIO [DIR]` (CMakeLists.txt, run_mpi.cmake). No gtest: a rank
// that finds a check false ends the whole job through Comm::abort, so the failure and the rank
// that saw it appear in mpirun's output and exit status.
//
// Scenarios that succeed: collectives, pool. Scenarios that must end the job, each with its
// message (checked by run_mpi.cmake): pool_throw RANK, hang, hang_answering, pool_kill,
// pool_silent_worker, pool_silent_root.

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dist/comm.h"
#include "dist/job_pool.h"

namespace {

using namespace daytrader;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

[[noreturn]] void fail(int line, std::string_view condition, std::string_view detail) {
  dist::world().abort(fmt::format("check failed at mpi_check.cpp:{}: {} ({})", line, condition, detail));
  std::abort();  // not reached (GCC does not see [[noreturn]] through a virtual call)
}
#define CHECK(condition, ...)                                               \
  do {                                                                      \
    if (!(condition)) fail(__LINE__, #condition, fmt::format(__VA_ARGS__)); \
  } while (false)

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string describe(std::size_t job) {
  return fmt::format("test job {}", job);
}

// Each rank's contribution to element i: different magnitudes, so that the sums round.
template <typename T>
T contribution(std::size_t i, int rank) {
  const T x = static_cast<T>(std::sin(0.37 * static_cast<double>(i) + rank));
  return rank == 0 ? x * static_cast<T>(1e-2) : x * static_cast<T>(1e3) + static_cast<T>(i);
}

// allreduce_sum of `n` elements: the exact sum (with two ranks, one rounding: a + b, which is the
// same as b + a), and the same bits on both ranks (rank 0's result broadcast and compared).
template <typename T>
void check_allreduce(dist::Comm& comm, std::size_t n) {
  std::vector<T> data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = contribution<T>(i, comm.rank());
  comm.allreduce_sum(std::span<T>(data), fmt::format("test allreduce of {} elements", n));
  for (std::size_t i = 0; i < n; ++i) {
    const T expected = contribution<T>(i, 0) + contribution<T>(i, 1);
    CHECK(std::memcmp(&data[i], &expected, sizeof(T)) == 0, "n {} element {}: {} instead of {}", n, i,
          data[i], expected);
  }
  std::vector<T> from_root = data;
  comm.broadcast(std::as_writable_bytes(std::span<T>(from_root)), 0, "rank 0's sums");
  CHECK(n == 0 || std::memcmp(from_root.data(), data.data(), n * sizeof(T)) == 0,
        "n {}: ranks 0 and {} differ", n, comm.rank());
}

int collectives() {
  dist::install_signal_messages();
  dist::Comm& comm = dist::world();
  CHECK(comm.size() == 2, "size {}", comm.size());
  CHECK(dist::launched_by_mpi_launcher(), "launcher not seen");
  dist::set_activity("collectives check");

  for (const std::size_t n : {0UL, 1UL, 7UL, 1000UL, 300'000UL}) {
    check_allreduce<float>(comm, n);
    check_allreduce<double>(comm, n);
  }

  // Broadcast from each root, of a length that is not a multiple of anything.
  for (int root = 0; root < 2; ++root) {
    std::vector<std::byte> bytes(777, std::byte{0});
    if (comm.rank() == root) {
      for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>((i * 7 + root) & 0xff);
    }
    comm.broadcast(bytes, root, "test broadcast");
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      CHECK(bytes[i] == static_cast<std::byte>((i * 7 + root) & 0xff), "root {} byte {}", root, i);
    }
  }

  // The barrier waits for the late rank; an allreduce, too (long after its back-off reached 1 ms).
  if (comm.rank() == 1) std::this_thread::sleep_for(500ms);
  auto start = Clock::now();
  comm.barrier("test barrier");
  if (comm.rank() == 0)
    CHECK(seconds_since(start) > 0.4, "barrier returned after {} s", seconds_since(start));
  if (comm.rank() == 0) std::this_thread::sleep_for(1500ms);
  std::vector<double> late = {1.0};
  comm.allreduce_sum(std::span<double>(late), "late allreduce");
  CHECK(late[0] == 2.0, "late allreduce gave {}", late[0]);

  // Messages: small and large (beyond the eager limit), to another rank and to itself; a receive
  // with nothing to come returns empty after its wait.
  const std::vector<std::byte> small = {std::byte{1}, std::byte{2}, std::byte{3}};
  std::vector<std::byte> large(4 << 20);
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<std::byte>(i % 251);
  if (comm.rank() == 1) {
    comm.send(0, 5, small);
    comm.send(0, 6, large);
  } else {
    comm.send(0, 9, small);
    const auto own = comm.receive(0ms);
    CHECK(own && own->source == 0 && own->tag == 9 && own->data == small, "message to itself");
    const auto first = comm.receive(10s);
    const auto second = comm.receive(10s);
    CHECK(first && first->source == 1 && first->tag == 5 && first->data == small, "small message");
    CHECK(second && second->source == 1 && second->tag == 6 && second->data == large, "large message");
    start = Clock::now();
    const auto none = comm.receive(50ms);
    const double waited = seconds_since(start);
    CHECK(!none && waited >= 0.05 && waited < 1, "empty receive: {} after {} s", none.has_value(), waited);
  }
  comm.barrier("after messages");

  // Latency of the polling loop, for the record.
  for (const std::size_t n : {16UL, 5000UL}) {
    std::vector<float> data(n, 1.0F);
    constexpr int kRounds = 1000;
    start = Clock::now();
    for (int round = 0; round < kRounds; ++round) comm.allreduce_sum(std::span<float>(data), "latency");
    const double per_call_us = seconds_since(start) / kRounds * 1e6;
    if (comm.rank() == 0) std::printf("allreduce of %zu floats: %.1f us per call\n", n, per_call_us);
  }
  if (comm.rank() == 0) std::printf("collectives passed on %s\n", dist::mpi_description().c_str());
  dist::finalize();
  dist::finalize();
  return 0;
}

// 12 jobs, the first 2 s and the others 0.1 s: the rank with the long job runs it alone while the
// other takes every short one. Each job creates its own file exclusively, so a job that ran twice
// ends the job; rank 0 then checks that every job has its file.
int pool(const std::filesystem::path& dir) {
  dist::install_signal_messages();
  dist::Comm& comm = dist::world();
  CHECK(comm.size() == 2, "size {}", comm.size());
  if (comm.is_root()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  comm.barrier("test directory ready");

  std::vector<std::size_t> jobs;
  for (std::size_t job = 100; job < 112; ++job) jobs.push_back(job);
  const auto run = [&](std::size_t job) {
    std::this_thread::sleep_for(job == 100 ? 2000ms : 100ms);
    const auto path = dir / fmt::format("job_{}", job);
    std::FILE* file = std::fopen(path.c_str(), "wx");  // x: fails if the file exists
    if (file == nullptr)
      throw std::runtime_error(fmt::format("{} exists: job {} ran twice", path.string(), job));
    std::fprintf(file, "%d\n", comm.rank());
    std::fclose(file);
  };
  dist::set_activity("before the pool");
  const auto start = Clock::now();
  const auto report =
      dist::run_job_pool(comm, jobs, run, describe, {.heartbeat_s = 0.2, .silence_timeout_s = 20});
  const double elapsed = seconds_since(start);
  CHECK(dist::activity() == "before the pool", "activity after the pool: {}", dist::activity());

  std::vector<double> counts = {static_cast<double>(report.jobs_run_here)};
  comm.allreduce_sum(std::span<double>(counts), "jobs run");
  CHECK(counts[0] == 12, "{} jobs run in all", counts[0]);
  if (comm.is_root()) {
    CHECK(report.jobs_total == 12, "jobs_total {}", report.jobs_total);
    std::map<int, int> jobs_per_rank;
    int long_job_rank = -1;
    for (const auto job : jobs) {
      std::ifstream in(dir / fmt::format("job_{}", job));
      int rank = -1;
      CHECK(in >> rank, "job {} has no file", job);
      ++jobs_per_rank[rank];
      if (job == 100) long_job_rank = rank;
    }
    const int other = 1 - long_job_rank;
    std::printf("pool: rank %d ran the long job and %d in all, rank %d ran %d, in %.2f s\n", long_job_rank,
                jobs_per_rank[long_job_rank], other, jobs_per_rank[other], elapsed);
    CHECK(jobs_per_rank[long_job_rank] <= 2 && jobs_per_rank[other] >= 10, "unbalanced: {} and {}",
          jobs_per_rank[long_job_rank], jobs_per_rank[other]);
    CHECK(elapsed < 3.5, "the pool took {} s", elapsed);
  } else {
    CHECK(report.jobs_total == 0, "jobs_total {} on a worker", report.jobs_total);
  }

  // Right after: a second pool (nothing of the first may be left in flight) whose jobs outlast the
  // silence timeout, so that only the heartbeats keep the ranks from being judged silent: the
  // worker's while it runs a job, and rank 0's while one rank runs the third job and the other
  // waits for the end. Then an empty pool.
  const std::vector<std::size_t> more = {1, 2, 3};
  const auto second = dist::run_job_pool(comm, more, [](std::size_t) { std::this_thread::sleep_for(1500ms); },
                                         describe, {.heartbeat_s = 0.2, .silence_timeout_s = 1});
  const auto empty = dist::run_job_pool(
      comm, {}, [](std::size_t) {}, describe);
  counts = {static_cast<double>(second.jobs_run_here), static_cast<double>(empty.jobs_run_here)};
  comm.allreduce_sum(std::span<double>(counts), "jobs run in the later pools");
  CHECK(counts[0] == 3 && counts[1] == 0, "later pools ran {} and {}", counts[0], counts[1]);
  if (comm.is_root()) std::printf("pool passed\n");
  dist::finalize();
  return 0;
}

// Job 5 throws on `thrower`; jobs there take 0.05 s and 2 s elsewhere, so the thrower gets job 5.
int pool_throw(int thrower) {
  dist::install_signal_messages();
  dist::Comm& comm = dist::world();
  std::vector<std::size_t> jobs = {0, 1, 2, 3, 4, 5, 6, 7};
  const auto run = [&](std::size_t job) {
    std::this_thread::sleep_for(comm.rank() == thrower ? 50ms : 2000ms);
    if (job == 5 && comm.rank() == thrower) throw std::runtime_error("deliberate failure");
  };
  (void)dist::run_job_pool(comm, jobs, run, describe, {.heartbeat_s = 0.2, .silence_timeout_s = 20});
  dist::finalize();
  return 0;  // not reached: the pool ends the job
}

// Rank 1 sleeps instead of joining rank 0's allreduce: rank 0 times out after 3 s, rank 1 does not
// answer the liveness check, and rank 0 ends the job naming it. With `answering`, rank 1 waits in
// a receive instead, which answers: the message then says every rank answered.
int hang(bool answering) {
  dist::install_signal_messages();
  dist::set_world_settings({.collective_timeout_s = 3, .liveness_grace_s = 1});
  dist::Comm& comm = dist::world();
  comm.barrier("start");
  if (comm.rank() == 1) {
    if (answering) {
      dist::set_activity("waiting in a receive on purpose");
      (void)comm.receive(40s);
    } else {
      dist::set_activity("sleeping on purpose");
      std::this_thread::sleep_for(40s);
    }
  } else {
    dist::set_activity("update 17");
    std::vector<float> data(10, 1.0F);
    comm.allreduce_sum(std::span<float>(data), "hang test gradients");
  }
  dist::finalize();
  return 0;  // not reached
}

// Rank 1 dies by SIGKILL in its second job (0.5 s each, 20 jobs).
int pool_kill() {
  dist::install_signal_messages();
  dist::Comm& comm = dist::world();
  std::vector<std::size_t> jobs;
  for (std::size_t job = 0; job < 20; ++job) jobs.push_back(job);
  int started_here = 0;
  const auto run = [&](std::size_t) {
    std::this_thread::sleep_for(500ms);
    if (comm.rank() == 1 && ++started_here == 2) raise(SIGKILL);
  };
  (void)dist::run_job_pool(comm, jobs, run, describe, {.heartbeat_s = 0.5, .silence_timeout_s = 30});
  dist::finalize();
  return 0;  // not reached
}

// A rank that stops (SIGSTOP: alive to the launcher, silent to everyone) inside a job: with
// `silent` 1, rank 0 notices that worker's heartbeats stopped; with 0, rank 0 itself stops and
// the worker notices that its request gets no answer. Either ends the job after 3 s.
int pool_silent(int silent) {
  dist::install_signal_messages();
  dist::Comm& comm = dist::world();
  std::vector<std::size_t> jobs;
  for (std::size_t job = 0; job < 40; ++job) jobs.push_back(job);
  int started_here = 0;
  const auto run = [&](std::size_t) {
    std::this_thread::sleep_for(200ms);
    if (comm.rank() == silent && ++started_here == 2) raise(SIGSTOP);
  };
  (void)dist::run_job_pool(comm, jobs, run, describe, {.heartbeat_s = 0.5, .silence_timeout_s = 3});
  dist::finalize();
  return 0;  // not reached
}

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "";
  try {
    if (scenario == "collectives") return collectives();
    if (scenario == "pool" && argc > 2) return pool(argv[2]);
    if (scenario == "pool_throw" && argc > 2) return pool_throw(std::stoi(argv[2]));
    if (scenario == "hang") return hang(false);
    if (scenario == "hang_answering") return hang(true);
    if (scenario == "pool_kill") return pool_kill();
    if (scenario == "pool_silent_worker") return pool_silent(1);
    if (scenario == "pool_silent_root") return pool_silent(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dist_mpi_check %s: %s\n", scenario.c_str(), e.what());
    return 1;
  }
  std::fprintf(
      stderr,
      "usage: dist_mpi_check collectives | pool DIR | pool_throw RANK | hang | hang_answering | pool_kill | "
      "pool_silent_worker | pool_silent_root\n");
  return 2;
}
