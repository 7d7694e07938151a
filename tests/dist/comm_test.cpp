// dist::Comm in one process: the world without a launcher, the group of one, the launcher rule,
// activity and the signal messages. The multi-rank behaviour is tested under mpirun
// (mpi_check.cpp, registered in CMakeLists.txt).

#include "dist/comm.h"

#include <gtest/gtest.h>

#include <signal.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "dist/detail.h"
#include "launcher_env.h"

namespace daytrader::dist {
namespace {

using test_support::CleanLauncherEnv;
using namespace std::chrono_literals;

std::vector<std::byte> bytes_of(std::string_view text) {
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return {p, p + text.size()};
}

TEST(DistWorld, IsAGroupOfOneWithoutALauncher) {
  const CleanLauncherEnv env;
  ASSERT_FALSE(launched_by_mpi_launcher());
  Comm& comm = world();
  EXPECT_EQ(comm.rank(), 0);
  EXPECT_EQ(comm.size(), 1);
  EXPECT_TRUE(comm.is_root());
  EXPECT_FALSE(comm.host().empty());
  EXPECT_EQ(&world(), &comm);  // created once
}

TEST(DistWorld, CollectivesOfAGroupOfOneLeaveTheDataAsIs) {
  const CleanLauncherEnv env;
  Comm& comm = world();
  const std::vector<float> floats = {1.5F, -0.0F, std::numeric_limits<float>::quiet_NaN(), 3e38F, 1e-45F};
  const std::vector<double> doubles = {0.1, -2.5e300, std::numeric_limits<double>::infinity(), 4.9e-324};
  auto float_data = floats;
  auto double_data = doubles;
  comm.allreduce_sum(float_data, "test floats");
  comm.allreduce_sum(double_data, "test doubles");
  auto bytes = bytes_of("unchanged");
  comm.broadcast(bytes, 0, "test bytes");
  comm.barrier("test barrier");
  finalize();  // no MPI: nothing to do, and harmless twice
  finalize();

  // Bits, not values: NaN and -0.0 must come back as they went in.
  EXPECT_EQ(std::memcmp(float_data.data(), floats.data(), floats.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(double_data.data(), doubles.data(), doubles.size() * sizeof(double)), 0);
  EXPECT_EQ(bytes, bytes_of("unchanged"));
}

TEST(DistSelf, IsAGroupOfOneWhateverTheLauncherSays) {
  const CleanLauncherEnv env;
  CleanLauncherEnv::set("OMPI_COMM_WORLD_SIZE", "4");
  CleanLauncherEnv::set("OMPI_COMM_WORLD_RANK", "2");
  const auto self = make_self();  // would call MPI, and fail without mpirun, if it looked
  std::vector<float> data = {1, 2, 3};
  self->allreduce_sum(data, "test");
  EXPECT_EQ(self->rank(), 0);
  EXPECT_EQ(self->size(), 1);
  EXPECT_EQ(data, (std::vector<float>{1, 2, 3}));
}

TEST(DistSelf, MessagesToItselfArriveInOrderAndAnEmptyQueueWaitsOutTheWait) {
  const auto self = make_self();
  self->send(0, 3, bytes_of("first"));
  self->send(0, 4, bytes_of("second"));
  const auto first = self->receive(0ms);
  const auto second = self->receive(0ms);
  const auto start = std::chrono::steady_clock::now();
  const auto none = self->receive(30ms);
  const auto waited = std::chrono::steady_clock::now() - start;

  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->source, 0);
  EXPECT_EQ(first->tag, 3);
  EXPECT_EQ(first->data, bytes_of("first"));
  EXPECT_EQ(second->tag, 4);
  EXPECT_EQ(second->data, bytes_of("second"));
  EXPECT_FALSE(none);
  EXPECT_GE(waited, 30ms);
  EXPECT_LT(waited, 2s);
}

TEST(DistSelf, AbortPrintsRankHostAndMessageThenExitsWithStatus1) {
  EXPECT_EXIT(make_self()->abort("allreduce (gradients) failed"), ::testing::ExitedWithCode(1),
              "^daytrader rank 0 \\([^)]+\\): allreduce \\(gradients\\) failed\n$");
}

// A group of one inside an MPI job (one sweep job) names the process by its rank in the job.
TEST(DistSelf, AbortInsideALaunchedJobNamesTheWorldRank) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a fresh process: no world() created yet
  EXPECT_EXIT(
      {
        const CleanLauncherEnv env;
        CleanLauncherEnv::set("OMPI_COMM_WORLD_SIZE", "4");
        CleanLauncherEnv::set("OMPI_COMM_WORLD_RANK", "3");
        make_self()->abort("job 7 (fold 2) failed");
      },
      ::testing::ExitedWithCode(1), "^daytrader rank 3 \\([^)]+\\): job 7 \\(fold 2\\) failed\n$");
}

// Each row: the variables a launcher sets, and whether they make an MPI job.
TEST(DistLauncher, FollowsTheRuleForEachLauncher) {
  struct Row {
    const char* launcher;
    std::vector<std::pair<const char*, const char*>> variables;
    bool launched;
    int size;
    int rank;
  };
  const Row rows[] = {
      {"none (started by hand)", {}, false, -1, -1},
      {"Open MPI mpirun", {{"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_RANK", "1"}}, true, 2, 1},
      {"MPICH Hydra", {{"PMI_SIZE", "4"}, {"PMI_RANK", "3"}, {"PMI_FD", "5"}}, true, 4, 3},
      {"PMIx (prterun)", {{"PMIX_RANK", "0"}, {"PMIX_NAMESPACE", "prterun-x-1@1"}}, true, -1, 0},
      {"srun --mpi=pmix",
       {{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"PMIX_SERVER_URI41", "x"}},
       true,
       2,
       1},
      {"srun with PMI_FD",
       {{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "3"}, {"PMI_FD", "7"}},
       true,
       3,
       0},
      {"Slurm batch script, no srun", {{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}}, false, -1, -1},
  };
  for (const auto& row : rows) {
    const CleanLauncherEnv env;
    for (const auto& [name, value] : row.variables) CleanLauncherEnv::set(name, value);
    const auto info = detail::launcher_info();
    EXPECT_EQ(launched_by_mpi_launcher(), row.launched) << row.launcher;
    EXPECT_EQ(info.launched, row.launched) << row.launcher;
    EXPECT_EQ(info.size, row.size) << row.launcher;
    EXPECT_EQ(info.rank, row.rank) << row.launcher;
  }
}

TEST(DistWorld, WithoutMpiRefusesALauncherOfSeveralRanks) {
  if (built_with_mpi()) GTEST_SKIP() << "built with MPI: world() would call MPI_Init; see dist.mpi.* tests";
  const CleanLauncherEnv env;
  CleanLauncherEnv::set("OMPI_COMM_WORLD_SIZE", "2");
  CleanLauncherEnv::set("OMPI_COMM_WORLD_RANK", "1");
  std::string message;
  try {
    (void)world();
  } catch (const core::DaytraderError& e) {
    message = e.what();
  }
  // One rank of one is harmless: the group of one.
  CleanLauncherEnv::set("OMPI_COMM_WORLD_SIZE", "1");
  CleanLauncherEnv::set("OMPI_COMM_WORLD_RANK", "0");
  const int size_when_alone = world().size();

  EXPECT_NE(message.find("rank 1 of 2"), std::string::npos) << message;
  EXPECT_NE(message.find("built without MPI"), std::string::npos) << message;
  EXPECT_NE(message.find("libopenmpi-dev"), std::string::npos) << message;
  EXPECT_EQ(size_when_alone, 1);
}

TEST(DistMpi, DescriptionNamesTheMpiOrItsAbsence) {
  const std::string description = mpi_description();
  if (built_with_mpi()) {
    EXPECT_NE(description.find("MPI"), std::string::npos) << description;
    EXPECT_EQ(description.find('\n'), std::string::npos) << description;
    EXPECT_EQ(description.find(','), std::string::npos) << description;
  } else {
    EXPECT_EQ(description, "built without MPI");
  }
}

TEST(DistSettings, RejectTimeoutsThatAreNotPositive) {
  EXPECT_THROW(set_world_settings({.collective_timeout_s = 0, .liveness_grace_s = 5}), core::DaytraderError);
  EXPECT_THROW(set_world_settings({.collective_timeout_s = 10, .liveness_grace_s = -1}),
               core::DaytraderError);
  EXPECT_THROW(set_world_settings({.collective_timeout_s = std::nan(""), .liveness_grace_s = 1}),
               core::DaytraderError);
  EXPECT_NO_THROW(set_world_settings({.collective_timeout_s = 3, .liveness_grace_s = 1}));
  EXPECT_EQ(detail::world_settings().collective_timeout_s, 3);
  set_world_settings({});
}

TEST(DistActivity, RoundTripsWholeAndSurvivesConcurrentWriters) {
  set_activity("fold 2 seed 1: update 17");
  const std::string first = activity();
  const std::string long_text(1000, 'x');
  set_activity(long_text);
  const std::string second = activity();

  // Four writers and a reader at once: every read is one of the values written, whole.
  const std::vector<std::string> values = {"a", std::string(300, 'b'), "job 5 (fold 1, seed 2)", ""};
  bool every_read_whole = true;
  set_activity(values[0]);
  {
    std::vector<std::jthread> writers;
    for (const auto& value : values) {
      writers.emplace_back([&value] {
        for (int i = 0; i < 2000; ++i) set_activity(value);
      });
    }
    for (int i = 0; i < 2000; ++i) {
      const std::string read = activity();
      every_read_whole = every_read_whole && std::find(values.begin(), values.end(), read) != values.end();
    }
  }
  set_activity("");

  EXPECT_EQ(first, "fold 2 seed 1: update 17");
  EXPECT_EQ(second, long_text);
  EXPECT_TRUE(every_read_whole);
}

// The handler's line, and the process ends by the signal itself (what mpirun and shells report).
TEST(DistSignals, MessageNamesRankHostPidSignalAndActivity) {
  struct Row {
    int sig;
    const char* pattern;
  };
  const Row rows[] = {
      {SIGTERM,
       "^daytrader rank 0 \\([^,]+, pid [0-9]+\\): ended by signal 15 \\(SIGTERM\\) while job 3 \\(fold "
       "1\\)\n$"},
      {SIGINT, "ended by signal 2 \\(SIGINT\\) while job 3 \\(fold 1\\)\n$"},
      {SIGHUP, "ended by signal 1 \\(SIGHUP\\) while job 3 \\(fold 1\\)\n$"},
  };
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (const auto& row : rows) {
    EXPECT_EXIT(
        {
          const CleanLauncherEnv env;
          install_signal_messages();
          set_activity("job 3 (fold 1)");
          raise(row.sig);
        },
        ::testing::KilledBySignal(row.sig), row.pattern)
        << row.sig;
  }
}

TEST(DistSignals, MessageCutsALongActivityAndSaysWhenThereIsNone) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        install_signal_messages();
        set_activity(std::string(150, 'a') + std::string(150, 'b'));
        raise(SIGTERM);
      },
      ::testing::KilledBySignal(SIGTERM), "while a{150}b{50}\n$");
  EXPECT_EXIT(
      {
        install_signal_messages();
        set_activity("");
        raise(SIGTERM);
      },
      ::testing::KilledBySignal(SIGTERM), "while \\(no activity set\\)\n$");
}

}  // namespace
}  // namespace daytrader::dist
