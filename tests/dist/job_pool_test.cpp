// The job pool in a group of one: jobs in order in the calling thread, failures as exceptions.
// Scheduling over ranks is tested under mpirun (mpi_check.cpp).

#include "dist/job_pool.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/result.h"
#include "launcher_env.h"

namespace daytrader::dist {
namespace {

std::string name_of(std::size_t job) {
  return "job number " + std::to_string(job);
}

TEST(DistJobPool, RunsEveryJobOnceInOrderInAGroupOfOne) {
  const test_support::CleanLauncherEnv env;
  const std::vector<std::size_t> jobs = {4, 2, 9, 7};
  std::vector<std::size_t> ran;
  std::vector<std::string> activities;
  set_activity("before the pool");
  const auto report = run_job_pool(
      world(), jobs,
      [&](std::size_t job) {
        ran.push_back(job);
        activities.push_back(activity());
      },
      name_of);

  EXPECT_EQ(ran, jobs);
  EXPECT_EQ(activities, (std::vector<std::string>{"job 4 (job number 4)", "job 2 (job number 2)",
                                                  "job 9 (job number 9)", "job 7 (job number 7)"}));
  EXPECT_EQ(activity(), "before the pool");
  EXPECT_EQ(report.jobs_run_here, 4U);
  EXPECT_EQ(report.jobs_total, 4U);
}

TEST(DistJobPool, NoJobsIsNothingToDo) {
  int calls = 0;
  const auto report = run_job_pool(
      *make_self(), {}, [&](std::size_t) { ++calls; }, name_of);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(report.jobs_run_here, 0U);
  EXPECT_EQ(report.jobs_total, 0U);
}

TEST(DistJobPool, AThrowingJobEndsThePoolWithAnErrorNamingTheJob) {
  const std::vector<std::size_t> jobs = {1, 2, 3};
  std::vector<std::size_t> ran;
  std::string message;
  set_activity("before the pool");
  try {
    (void)run_job_pool(
        *make_self(), jobs,
        [&](std::size_t job) {
          ran.push_back(job);
          if (job == 2) throw std::runtime_error("fold 2 has no test sessions");
        },
        name_of);
  } catch (const core::DaytraderError& e) {
    message = e.what();
  }

  EXPECT_EQ(message, "job 2 (job number 2) failed: fold 2 has no test sessions");
  EXPECT_EQ(ran, (std::vector<std::size_t>{1, 2}));  // job 3 never starts
  EXPECT_EQ(activity(), "before the pool");
}

TEST(DistJobPool, ANonStandardExceptionIsNamedToo) {
  const std::vector<std::size_t> jobs = {5};
  EXPECT_THROW(
      {
        try {
          (void)run_job_pool(
              *make_self(), jobs, [](std::size_t) { throw 42; }, name_of);
        } catch (const core::DaytraderError& e) {
          EXPECT_STREQ(e.what(), "job 5 (job number 5) failed: an exception that is not a std::exception");
          throw;
        }
      },
      core::DaytraderError);
}

TEST(DistJobPool, RejectsHeartbeatsThatCouldNotKeepARankAlive) {
  const std::vector<std::size_t> jobs = {1};
  const auto self = make_self();
  const auto run = [](std::size_t) {};
  EXPECT_THROW((void)run_job_pool(*self, jobs, run, name_of, {.heartbeat_s = 0, .silence_timeout_s = 60}),
               core::DaytraderError);
  EXPECT_THROW((void)run_job_pool(*self, jobs, run, name_of, {.heartbeat_s = 5, .silence_timeout_s = 5}),
               core::DaytraderError);
}

}  // namespace
}  // namespace daytrader::dist
