#pragma once
// A pool of independent jobs spread over the ranks of a Comm with dynamic scheduling: a rank that
// finishes a job is handed the next one, so a slow job never leaves the others idle.
//
// Rank 0 hands the jobs out from its main thread (the only one that calls MPI) and runs jobs too,
// in a worker thread; every other rank asks for a job, runs it in a worker thread, reports it
// done and asks again, and sends a heartbeat while a job runs. With a group of one the jobs run
// in order in the calling process.
//
// Failures end the whole pool on every rank, with a message naming the rank and the job:
// - a job that throws: "job J (DESCRIPTION) failed on rank R (HOST): WHAT";
// - a rank that stops sending heartbeats for silence_timeout_s (killed where the launcher does
//   not end the job, hung, or cut off): "rank R (HOST) has not been heard from for T s while
//   running job J (DESCRIPTION)".
// Both end the job through Comm::abort, so no rank is left waiting.

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "dist/comm.h"

namespace daytrader::dist {

struct JobPoolOptions {
  double heartbeat_s = 1;           // a busy rank's heartbeat interval
  double silence_timeout_s = 60;    // a rank silent this long ends the pool
};

// What a rank did, for the caller's log.
struct JobPoolReport {
  std::size_t jobs_run_here = 0;    // jobs this rank ran
  std::size_t jobs_total = 0;       // jobs every rank ran (on rank 0; 0 elsewhere)
};

// Runs every job of `jobs` (the caller's job numbers, e.g. those not done yet) exactly once over
// the ranks of `comm`; returns on every rank when all are done. `run(job)` runs in a worker
// thread and must not use `comm`; `describe(job)` names a job in messages. Every rank must call
// this with the same `jobs`.
JobPoolReport run_job_pool(Comm& comm, std::span<const std::size_t> jobs, const std::function<void(std::size_t)>& run,
                           const std::function<std::string(std::size_t)>& describe, const JobPoolOptions& options = {});

}  // namespace daytrader::dist
