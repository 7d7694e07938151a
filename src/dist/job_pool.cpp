// Dynamic scheduling of independent jobs over the ranks of a Comm (job_pool.h).
//
// The protocol, in caller tags of `comm` (the pool owns point-to-point traffic while it runs):
//   worker -> 0  kRequest    "ready for a job": the job just finished (if any), a hash of `jobs`
//                            (every rank must pass the same ones) and the worker's host name
//   worker -> 0  kHeartbeat  every heartbeat_s while a job runs
//   0 -> worker  kAssign     run jobs[index]
//   0 -> worker  kNoMore     every job is handed out: wait for the end
//   0 -> worker  kHeartbeat  every heartbeat_s while the worker waits for the end (so that it can
//                            tell a rank 0 that is still running jobs from one that is gone)
//   0 -> worker  kFinish     every job is done: return
// A worker's messages end with the request that rank 0 answers with kNoMore, and rank 0's with
// kFinish, so nothing of one pool is left in flight to be mistaken for a message of what follows.
//
// Only the main threads communicate; jobs run in a std::thread on every rank (rank 0 too, beside
// its scheduling), which is also what lets a busy rank keep sending heartbeats.

#include "dist/job_pool.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "dist/detail.h"

namespace daytrader::dist {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kRequest = 0x4A50;  // "JP": far from the small tags a caller would pick first
constexpr int kHeartbeat = kRequest + 1;
constexpr int kAssign = kRequest + 2;
constexpr int kNoMore = kRequest + 3;
constexpr int kFinish = kRequest + 4;
constexpr std::uint64_t kNoJob = ~std::uint64_t{0};

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Message bodies: native-endian integers then text (the ranks of one job run the same binary).
void put_u64(std::vector<std::byte>& out, std::uint64_t value) {
  const auto at = out.size();
  out.resize(at + sizeof(value));
  std::memcpy(out.data() + at, &value, sizeof(value));
}

std::optional<std::uint64_t> get_u64(std::span<const std::byte> in, std::size_t at) {
  std::uint64_t value = 0;
  if (in.size() < at + sizeof(value)) return std::nullopt;
  std::memcpy(&value, in.data() + at, sizeof(value));
  return value;
}

std::vector<std::byte> index_message(std::uint64_t index) {
  std::vector<std::byte> out;
  put_u64(out, index);
  return out;
}

// FNV-1a over the job numbers: a cheap check that every rank was given the same jobs.
std::uint64_t jobs_hash(std::span<const std::size_t> jobs) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&hash](std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      hash ^= (value >> (8 * byte)) & 0xffU;
      hash *= 0x100000001b3ULL;
    }
  };
  mix(jobs.size());
  for (const auto job : jobs) mix(job);
  return hash;
}

std::string job_activity(std::size_t job, std::string_view description) {
  return fmt::format("job {} ({})", job, description);
}

std::string failure_message(std::size_t job, std::string_view description, int rank, std::string_view host,
                            std::string_view what) {
  return fmt::format("job {} ({}) failed on rank {} ({}): {}", job, description, rank, host, what);
}

// One job in a thread of its own; the main thread waits on it with a timeout, so that it can
// send heartbeats or schedule meanwhile.
class JobThread {
 public:
  JobThread() = default;
  JobThread(const JobThread&) = delete;
  JobThread& operator=(const JobThread&) = delete;
  // Only reached when an exception leaves the pool with a job still running (e.g. describe()
  // threw): wait for it rather than std::terminate.
  ~JobThread() {
    if (thread_.joinable()) thread_.join();
  }

  void start(std::function<void()> body) {
    {
      const std::lock_guard lock(mutex_);
      done_ = false;
      error_.reset();
    }
    thread_ = std::thread([this, body = std::move(body)] {
      std::optional<std::string> error;
      try {
        body();
      } catch (const std::exception& e) {
        error = e.what();
      } catch (...) {
        error = "an exception that is not a std::exception";
      }
      {
        const std::lock_guard lock(mutex_);
        done_ = true;
        error_ = std::move(error);
      }
      done_changed_.notify_all();
    });
  }

  [[nodiscard]] bool running() const { return thread_.joinable(); }

  // Whether the job has ended, waiting until `deadline` at most.
  bool wait_until(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return done_changed_.wait_until(lock, deadline, [this] { return done_; });
  }

  // After the job ended: the exception's text, if it threw.
  std::optional<std::string> join() {
    thread_.join();
    const std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;                 // guarded by mutex_
  std::optional<std::string> error_;  // guarded by mutex_
};

// Restores the activity the caller had when the pool returns or throws.
class ActivityScope {
 public:
  ActivityScope() : previous_(activity()) {}
  ActivityScope(const ActivityScope&) = delete;
  ActivityScope& operator=(const ActivityScope&) = delete;
  ~ActivityScope() { set_activity(previous_); }

 private:
  std::string previous_;
};

JobPoolReport run_alone(std::span<const std::size_t> jobs, const std::function<void(std::size_t)>& run,
                        const std::function<std::string(std::size_t)>& describe) {
  for (const auto job : jobs) {
    const std::string description = describe(job);
    set_activity(job_activity(job, description));
    try {
      run(job);
    } catch (const std::exception& e) {
      throw core::DaytraderError(fmt::format("job {} ({}) failed: {}", job, description, e.what()));
    } catch (...) {
      throw core::DaytraderError(
          fmt::format("job {} ({}) failed: an exception that is not a std::exception", job, description));
    }
  }
  return JobPoolReport{jobs.size(), jobs.size()};
}

// Rank 0: hands out jobs from the main thread and runs its own share in a JobThread.
class Scheduler {
 public:
  Scheduler(Comm& comm, std::span<const std::size_t> jobs, const std::function<void(std::size_t)>& run,
            const std::function<std::string(std::size_t)>& describe, const JobPoolOptions& options)
      : comm_(comm),
        jobs_(jobs),
        run_(run),
        describe_(describe),
        heartbeat_(detail::seconds_to_duration(options.heartbeat_s)),
        silence_timeout_s_(options.silence_timeout_s),
        hash_(jobs_hash(jobs)),
        host_(comm.host()),
        peers_(static_cast<std::size_t>(comm.size())) {
    // A rank that never asks for a job is silent from the start.
    const auto started = Clock::now();
    for (auto& peer : peers_) peer.last_heard = started;
  }

  // The main thread watches two things, the messages and its own job, and MPI cannot wait on
  // both: it polls, with the pacing of the Comm's own waits (a pause that grows to 1 ms while
  // nothing happens), so a request or the end of its own job is seen within a millisecond.
  JobPoolReport run() {
    refresh_activity();
    auto quiet_since = Clock::now();
    for (;;) {
      bool progressed = collect_own_job();
      if (!own_job_ && next_ < jobs_.size()) {
        start_own_job(next_++);
        progressed = true;
      }
      if (done_ == jobs_.size() && released_ == peers_.size() - 1) break;
      // Everything that has arrived is read before anyone is judged silent: after a stall of
      // this process (swapped out, stopped) the inbox, not the others, is what is behind.
      for (auto message = comm_.receive(0ms); message; message = comm_.receive(0ms)) {
        handle(*message);
        progressed = true;
      }
      const auto now = Clock::now();
      check_silence(now);
      keep_released_peers_waiting(now);
      if (progressed) quiet_since = now;
      detail::pause_polling(now - quiet_since);
    }
    for (int rank = 1; rank < comm_.size(); ++rank) comm_.send(rank, kFinish, {});
    return JobPoolReport{ran_here_, done_};
  }

 private:
  struct Peer {
    std::string host = "host not known yet";
    Clock::time_point last_heard;
    Clock::time_point last_heartbeat_sent;
    std::optional<std::size_t> job;  // index into jobs_ of the job it runs
    bool seen = false;
    bool released = false;  // told kNoMore
  };

  // Rank 0's activity names every rank's job, so that when a worker dies and the launcher ends
  // rank 0, rank 0's last words say which job the dead rank was running.
  void refresh_activity() const {
    std::string text = own_job_ ? job_activity(jobs_[*own_job_], describe_(jobs_[*own_job_]))
                                : fmt::format("job pool: scheduling, {} of {} jobs done", done_, jobs_.size());
    for (std::size_t rank = 1; rank < peers_.size(); ++rank)
      if (peers_[rank].job)
        text += fmt::format("; rank {} runs {}", rank, job_activity(jobs_[*peers_[rank].job], describe_(jobs_[*peers_[rank].job])));
    set_activity(text);
  }

  void start_own_job(std::size_t index) {
    own_job_ = index;
    const std::size_t job = jobs_[index];
    refresh_activity();
    own_thread_.start([this, job] { run_(job); });
  }

  // Whether its own job ended (and was accounted for).
  bool collect_own_job() {
    if (!own_job_ || !own_thread_.wait_until(Clock::now())) return false;
    const std::size_t job = jobs_[*own_job_];
    if (const auto error = own_thread_.join())
      comm_.abort(failure_message(job, describe_(job), 0, host_, *error));
    own_job_.reset();
    ++done_;
    ++ran_here_;
    refresh_activity();
    return true;
  }

  [[noreturn]] void unexpected(const Comm::Message& message, std::string_view why) {
    comm_.abort(fmt::format("job pool: unexpected message from rank {} (tag {}, {} bytes): {}",
                            message.source, message.tag, message.data.size(), why));
    std::abort();  // not reached: Comm::abort is [[noreturn]], which GCC does not see through a virtual call
  }

  void handle(const Comm::Message& message) {
    if (message.source <= 0 || message.source >= comm_.size()) unexpected(message, "not from a worker rank");
    Peer& peer = peers_[static_cast<std::size_t>(message.source)];
    peer.last_heard = Clock::now();
    peer.seen = true;
    if (message.tag == kHeartbeat) return;
    if (message.tag != kRequest) unexpected(message, "not a job pool message");

    const auto finished = get_u64(message.data, 0);
    const auto hash = get_u64(message.data, 8);
    if (!finished || !hash) unexpected(message, "a request shorter than 16 bytes");
    const auto* text = reinterpret_cast<const char*>(message.data.data() + 16);
    peer.host.assign(text, message.data.size() - 16);
    if (*hash != hash_) {
      comm_.abort(
          fmt::format("rank {} ({}) runs the job pool with other jobs than rank 0 ({} jobs here): every "
                      "rank must pass the same jobs",
                      message.source, peer.host, jobs_.size()));
    }
    if (peer.released) unexpected(message, "a request after \"no more jobs\"");
    const bool reports_its_job = *finished == kNoJob ? !peer.job : (peer.job && *peer.job == *finished);
    if (!reports_its_job) unexpected(message, "the job it reports done is not the job it was given");
    if (*finished != kNoJob) {
      peer.job.reset();
      ++done_;
    }

    if (next_ < jobs_.size()) {
      peer.job = next_++;
      comm_.send(message.source, kAssign, index_message(*peer.job));
      refresh_activity();
    } else {
      refresh_activity();
      comm_.send(message.source, kNoMore, {});
      peer.released = true;
      peer.last_heartbeat_sent = peer.last_heard;
      ++released_;
    }
  }

  void check_silence(Clock::time_point now) {
    for (std::size_t rank = 1; rank < peers_.size(); ++rank) {
      const Peer& peer = peers_[rank];
      const double silent_s = seconds_between(peer.last_heard, now);
      if (silent_s <= silence_timeout_s_) continue;
      if (peer.job) {
        const std::size_t job = jobs_[*peer.job];
        comm_.abort(fmt::format("rank {} ({}) has not been heard from for {} s while running job {} ({})",
                                rank, peer.host, detail::format_seconds(silent_s), job, describe_(job)));
      }
      // A rank that never asked matters once it is all rank 0 waits for.
      if (!peer.seen && done_ == jobs_.size()) {
        comm_.abort(
            fmt::format("rank {} has not been heard from in the {} s since the job pool started: it never "
                        "asked for a job",
                        rank, detail::format_seconds(silent_s)));
      }
    }
  }

  void keep_released_peers_waiting(Clock::time_point now) {
    for (std::size_t rank = 1; rank < peers_.size(); ++rank) {
      Peer& peer = peers_[rank];
      if (!peer.released || now - peer.last_heartbeat_sent < heartbeat_) continue;
      comm_.send(static_cast<int>(rank), kHeartbeat, {});
      peer.last_heartbeat_sent = now;
    }
  }

  Comm& comm_;
  std::span<const std::size_t> jobs_;
  const std::function<void(std::size_t)>& run_;
  const std::function<std::string(std::size_t)>& describe_;
  Clock::duration heartbeat_;
  double silence_timeout_s_;
  std::uint64_t hash_;
  std::string host_;
  std::vector<Peer> peers_;  // by rank; peers_[0] (this rank) unused
  JobThread own_thread_;
  std::optional<std::size_t> own_job_;  // index into jobs_
  std::size_t next_ = 0;                // next index to hand out
  std::size_t done_ = 0;
  std::size_t ran_here_ = 0;
  std::size_t released_ = 0;
};

// A worker's wait for rank 0: returns its next message other than a heartbeat, or ends the job
// if rank 0 has been silent for silence_timeout_s.
Comm::Message wait_for_rank0(Comm& comm, const JobPoolOptions& options, std::string_view waiting_for) {
  const auto silence = detail::seconds_to_duration(options.silence_timeout_s);
  auto last_heard = Clock::now();
  for (;;) {
    const auto now = Clock::now();
    if (now - last_heard >= silence) {
      comm.abort(
          fmt::format("rank 0 stopped answering: nothing from it for {} s while this rank waited for {}",
                      detail::format_seconds(seconds_between(last_heard, now)), waiting_for));
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(last_heard + silence - now);
    auto message = comm.receive(std::min<std::chrono::milliseconds>(left, 1s));
    if (!message) continue;
    if (message->source != 0) {
      comm.abort(
          fmt::format("job pool: unexpected message from rank {} (tag {}) while this rank waited for {}",
                      message->source, message->tag, waiting_for));
    }
    last_heard = Clock::now();
    if (message->tag != kHeartbeat) return std::move(*message);
  }
}

JobPoolReport run_worker(Comm& comm, std::span<const std::size_t> jobs,
                         const std::function<void(std::size_t)>& run,
                         const std::function<std::string(std::size_t)>& describe,
                         const JobPoolOptions& options) {
  const std::uint64_t hash = jobs_hash(jobs);
  const std::string host = comm.host();
  const auto heartbeat = detail::seconds_to_duration(options.heartbeat_s);
  std::size_t ran = 0;
  std::uint64_t finished = kNoJob;
  for (;;) {
    set_activity("job pool: waiting for a job from rank 0");
    std::vector<std::byte> request;
    put_u64(request, finished);
    put_u64(request, hash);
    const auto* host_bytes = reinterpret_cast<const std::byte*>(host.data());
    request.insert(request.end(), host_bytes, host_bytes + host.size());
    comm.send(0, kRequest, request);

    const Comm::Message reply = wait_for_rank0(comm, options, "a reply to its request for a job");
    if (reply.tag == kNoMore) break;
    const auto index = get_u64(reply.data, 0);
    if (reply.tag != kAssign || !index || *index >= jobs.size()) {
      comm.abort(
          fmt::format("job pool: unexpected reply from rank 0 (tag {}, {} bytes) to a request for a job",
                      reply.tag, reply.data.size()));
    }

    const std::size_t job = jobs[*index];
    const std::string description = describe(job);
    set_activity(job_activity(job, description));
    JobThread thread;
    thread.start([&run, job] { run(job); });
    auto next_heartbeat = Clock::now() + heartbeat;
    while (!thread.wait_until(next_heartbeat)) {
      comm.send(0, kHeartbeat, index_message(*index));
      next_heartbeat = Clock::now() + heartbeat;
    }
    // The worker ends the job itself: rank 0 might be the one that cannot listen.
    if (const auto error = thread.join())
      comm.abort(failure_message(job, description, comm.rank(), host, *error));
    ++ran;
    finished = *index;
  }

  set_activity("job pool: every job is handed out; waiting for the other ranks' jobs to end");
  const Comm::Message last = wait_for_rank0(comm, options, "the other ranks' jobs to end");
  if (last.tag != kFinish) {
    comm.abort(
        fmt::format("job pool: unexpected message from rank 0 (tag {}, {} bytes) after \"no more jobs\"",
                    last.tag, last.data.size()));
  }
  return JobPoolReport{ran, 0};
}

}  // namespace

JobPoolReport run_job_pool(Comm& comm, std::span<const std::size_t> jobs,
                           const std::function<void(std::size_t)>& run,
                           const std::function<std::string(std::size_t)>& describe,
                           const JobPoolOptions& options) {
  if (!(options.heartbeat_s > 0) || !(options.silence_timeout_s > options.heartbeat_s)) {
    throw core::DaytraderError(
        fmt::format("job pool: heartbeat_s {} must be above 0 and silence_timeout_s {} above heartbeat_s, or "
                    "every busy rank "
                    "would look silent",
                    options.heartbeat_s, options.silence_timeout_s));
  }
  const ActivityScope restore_activity;
  if (comm.size() == 1) return run_alone(jobs, run, describe);
  if (comm.is_root()) return Scheduler(comm, jobs, run, describe, options).run();
  return run_worker(comm, jobs, run, describe, options);
}

}  // namespace daytrader::dist
