// The world over MPI (compiled only when CMake found MPI; C API only).
//
// Every blocking operation is a non-blocking MPI call (MPI_Iallreduce, MPI_Ibcast, MPI_Ibarrier,
// MPI_Isend, MPI_Imrecv) completed by polling MPI_Test with a back-off until it is done or its
// deadline passes. Polling is also what lets this rank answer the others' liveness pings while it
// waits, and what moves Open MPI's non-blocking collectives along (it has no progress thread).
//
// Two duplicates of MPI_COMM_WORLD keep the traffic apart: `coll_` carries the collectives and
// the caller's messages (every tag >= 0 is the caller's), `ping_` only the liveness check, so a
// caller's receive never sees a ping and a ping never matches a caller's tag.
//
// A collective that misses its deadline sends "are you alive" to every other rank on `ping_` and
// gives them liveness_grace_s to answer; a rank answers from inside any of these polling loops,
// so one that does not answer is dead, hung, or busy outside daytrader's communication. Then it
// ends the job with MPI_Abort and a message that names them.

#include <mpi.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <deque>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/result.h"
#include "dist/comm.h"
#include "dist/detail.h"

namespace daytrader::dist::detail {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Tags on ping_ (a communicator of its own, so they never meet the caller's).
constexpr int kPingTag = 1;
constexpr int kPongTag = 2;

// Paces a polling loop (detail::pause_polling) from the moment it is created.
class Backoff {
 public:
  void pause() const { pause_polling(Clock::now() - start_); }

 private:
  Clock::time_point start_ = Clock::now();
};

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return fmt::format("MPI error {}", code);
  return std::string(text, static_cast<std::size_t>(std::max(length, 0)));
}

std::string activity_for_message() {
  const std::string text = activity();
  return text.empty() ? std::string("(no activity set)") : text;
}

class MpiComm final : public Comm {
 public:
  explicit MpiComm(bool initialised_here) : initialised_here_(initialised_here) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    host_ = host_name();
    set_rank_for_messages(rank_);
    duplicate_world();
  }

  [[nodiscard]] int rank() const noexcept override { return rank_; }
  [[nodiscard]] int size() const noexcept override { return size_; }
  [[nodiscard]] std::string host() const override { return host_; }

  void allreduce_sum(std::span<float> data, std::string_view what) override {
    allreduce(data.data(), data.size(), MPI_FLOAT, what);
  }
  void allreduce_sum(std::span<double> data, std::string_view what) override {
    allreduce(data.data(), data.size(), MPI_DOUBLE, what);
  }

  void broadcast(std::span<std::byte> data, int root, std::string_view what) override {
    enter();
    DT_ASSERT(root >= 0 && root < size_, "broadcast root is not a rank of the world");
    DT_ASSERT(data.size() <= static_cast<std::size_t>(INT_MAX), "broadcast of more than INT_MAX bytes");
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Ibcast(data.data(), static_cast<int>(data.size()), MPI_BYTE, root, coll_, &request),
          "MPI_Ibcast", "broadcast", what);
    wait(request, "broadcast", what);
  }

  void barrier(std::string_view what) override {
    enter();
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Ibarrier(coll_, &request), "MPI_Ibarrier", "barrier", what);
    wait(request, "barrier", what);
  }

  void send(int dest, int tag, std::span<const std::byte> data) override {
    enter();
    DT_ASSERT(dest >= 0 && dest < size_, "send to a rank that is not in the world");
    DT_ASSERT(tag >= 0, "message tags below 0 are reserved");
    DT_ASSERT(data.size() <= static_cast<std::size_t>(INT_MAX), "message of more than INT_MAX bytes");
    if (dest == rank_) {
      // To itself: a local queue. MPI could do it, but a large message would then wait for a
      // receive that this very thread can only post after the send returns.
      self_queue_.push_back(Message{rank_, tag, std::vector<std::byte>(data.begin(), data.end())});
      return;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    const std::string what = fmt::format("{} bytes to rank {} with tag {}", data.size(), dest, tag);
    check(MPI_Isend(data.data(), static_cast<int>(data.size()), MPI_BYTE, dest, tag, coll_, &request),
          "MPI_Isend", "send", what);
    wait(request, "send", what);
  }

  std::optional<Message> receive(std::chrono::milliseconds wait_at_most) override {
    enter();
    if (!self_queue_.empty()) {
      Message message = std::move(self_queue_.front());
      self_queue_.pop_front();
      return message;
    }
    const auto deadline = Clock::now() + wait_at_most;
    const Backoff backoff;
    for (;;) {
      int found = 0;
      MPI_Message matched = MPI_MESSAGE_NULL;
      MPI_Status status;
      check(MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, coll_, &found, &matched, &status), "MPI_Improbe",
            "receive", "a message from any rank");
      if (found != 0) return receive_matched(matched, status);
      serve_pings(false);
      if (Clock::now() >= deadline) return std::nullopt;
      backoff.pause();
    }
  }

  [[noreturn]] void abort(std::string_view message) override { abort_process(rank_, message); }

  // MPI_Finalize, after a barrier with a deadline: MPI_Finalize waits for every rank without
  // one, so a rank that never gets here would otherwise leave the others hanging silently.
  void finalize() {
    if (finalized_) return;
    DT_ASSERT(std::this_thread::get_id() == owner_, "dist::finalize() from a thread other than world()'s");
    barrier("finalize: waiting for every rank to finish its work");
    MPI_Comm_free(&coll_);
    MPI_Comm_free(&ping_);
    finalized_ = true;
    int already = 0;
    MPI_Finalized(&already);
    if (initialised_here_ && already == 0) MPI_Finalize();
  }

 private:
  // Every operation: on the thread that created the world (MPI_THREAD_FUNNELED), before finalize.
  void enter() const {
    DT_ASSERT(!finalized_, "dist::Comm used after dist::finalize()");
    DT_ASSERT(
        std::this_thread::get_id() == owner_,
        "dist::Comm used from a thread other than the one that created the world (MPI_THREAD_FUNNELED)");
  }

  void allreduce(void* data, std::size_t count, MPI_Datatype type, std::string_view what) {
    enter();
    DT_ASSERT(count <= static_cast<std::size_t>(INT_MAX), "allreduce of more than INT_MAX elements");
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), type, MPI_SUM, coll_, &request),
          "MPI_Iallreduce", "allreduce", what);
    wait(request, "allreduce", what);
  }

  // MPI_COMM_WORLD twice (MPI_Comm_idup, so that this wait has a deadline too), with errors
  // returned rather than fatal so that they end the job with a message of ours.
  void duplicate_world() {
    MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    MPI_Comm_idup(MPI_COMM_WORLD, &coll_, &requests[0]);
    MPI_Comm_idup(MPI_COMM_WORLD, &ping_, &requests[1]);
    const double timeout_s = world_settings().collective_timeout_s;
    const auto deadline = Clock::now() + seconds_to_duration(timeout_s);
    const Backoff backoff;
    for (;;) {
      int done = 0;
      MPI_Testall(2, requests, &done, MPI_STATUSES_IGNORE);
      if (done != 0) break;
      if (Clock::now() >= deadline) {
        abort(
            fmt::format("starting MPI (duplicating MPI_COMM_WORLD) has not completed within {} s while {}: "
                        "another rank has not reached this point",
                        format_seconds(timeout_s), activity_for_message()));
      }
      backoff.pause();
    }
    MPI_Comm_set_errhandler(coll_, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(ping_, MPI_ERRORS_RETURN);
  }

  void check(int code, const char* call, std::string_view operation, std::string_view what) {
    if (code == MPI_SUCCESS) [[likely]]
      return;
    abort(fmt::format("{} failed in {} ({}) while {}: {}", call, operation, what, activity_for_message(),
                      mpi_error_text(code)));
  }

  // Polls `request` until it completes or the collective deadline passes (timed_out then ends
  // the job), answering liveness pings meanwhile.
  void wait(MPI_Request& request, std::string_view operation, std::string_view what) {
    const CommSettings settings = world_settings();
    const auto deadline = Clock::now() + seconds_to_duration(settings.collective_timeout_s);
    const Backoff backoff;
    for (;;) {
      int done = 0;
      check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test", operation, what);
      if (done != 0) return;
      serve_pings(false);
      if (Clock::now() >= deadline) timed_out(operation, what, settings);
      backoff.pause();
    }
  }

  std::optional<Message> receive_matched(MPI_Message& matched, const MPI_Status& status) {
    int count = 0;
    check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count", "receive", "a matched message");
    Message message{status.MPI_SOURCE, status.MPI_TAG,
                    std::vector<std::byte>(static_cast<std::size_t>(count))};
    const std::string what =
        fmt::format("{} bytes from rank {} with tag {}", count, message.source, message.tag);
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Imrecv(message.data.data(), count, MPI_BYTE, &matched, &request), "MPI_Imrecv", "receive",
          what);
    wait(request, "receive", what);
    return message;
  }

  // Answers every ping that has arrived and records pongs. With `tolerate_errors` (during a
  // liveness check, when a peer may be dead) an MPI error ends the check instead of the job, so
  // that the message still names the ranks that did not answer; returns false then.
  bool serve_pings(bool tolerate_errors) {
    static const std::byte kNothing{};
    for (;;) {
      int found = 0;
      MPI_Status status;
      int code = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, ping_, &found, &status);
      if (code == MPI_SUCCESS && found != 0) {
        code = MPI_Recv(nullptr, 0, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, ping_, MPI_STATUS_IGNORE);
      }
      if (code == MPI_SUCCESS && found != 0 && status.MPI_TAG == kPingTag) {
        // An empty message goes out at once (eager protocol); nothing to wait for, so the request
        // is released right away and MPI completes it on its own.
        MPI_Request request = MPI_REQUEST_NULL;
        code = MPI_Isend(&kNothing, 0, MPI_BYTE, status.MPI_SOURCE, kPongTag, ping_, &request);
        if (code == MPI_SUCCESS) MPI_Request_free(&request);
      }
      if (code != MPI_SUCCESS) {
        if (tolerate_errors) return false;
        check(code, "MPI_Iprobe/MPI_Recv/MPI_Isend", "answering a liveness check", "ping communicator");
      }
      if (found == 0) return true;
      // A pong outside a liveness check (answered_ empty) cannot happen: this rank pings only once,
      // and then ends the job.
      if (status.MPI_TAG == kPongTag && status.MPI_SOURCE >= 0 &&
          static_cast<std::size_t>(status.MPI_SOURCE) < answered_.size()) {
        answered_[static_cast<std::size_t>(status.MPI_SOURCE)] = 1;
      }
    }
  }

  [[noreturn]] void timed_out(std::string_view operation, std::string_view what,
                              const CommSettings& settings) {
    static const std::byte kNothing{};
    answered_.assign(static_cast<std::size_t>(size_), 0);
    answered_[static_cast<std::size_t>(rank_)] = 1;
    for (int other = 0; other < size_; ++other) {
      if (other == rank_) continue;
      MPI_Request request = MPI_REQUEST_NULL;
      if (MPI_Isend(&kNothing, 0, MPI_BYTE, other, kPingTag, ping_, &request) == MPI_SUCCESS) {
        MPI_Request_free(&request);
      }
    }
    const auto deadline = Clock::now() + seconds_to_duration(settings.liveness_grace_s);
    const Backoff backoff;
    while (std::count(answered_.begin(), answered_.end(), 1) < size_ && Clock::now() < deadline) {
      if (!serve_pings(true)) break;
      backoff.pause();
    }
    std::string silent;
    for (int other = 0; other < size_; ++other) {
      if (answered_[static_cast<std::size_t>(other)] != 0) continue;
      silent += silent.empty() ? fmt::format("{}", other) : fmt::format(", {}", other);
    }
    const std::string answers =
        silent.empty() ? std::string("every rank answered: the others are waiting too")
                       : fmt::format(
                             "ranks not answering: {} (within {} s; dead, hung, or busy outside daytrader's "
                             "communication)",
                             silent, format_seconds(settings.liveness_grace_s));
    abort(fmt::format("{} ({}) has not completed within {} s while {}; {}", operation, what,
                      format_seconds(settings.collective_timeout_s), activity_for_message(), answers));
  }

  int rank_ = 0;
  int size_ = 1;
  std::string host_;
  std::thread::id owner_ = std::this_thread::get_id();
  bool initialised_here_ = false;
  bool finalized_ = false;
  MPI_Comm coll_ = MPI_COMM_NULL;
  MPI_Comm ping_ = MPI_COMM_NULL;
  std::deque<Message> self_queue_;
  std::vector<char> answered_;  // per rank, during a liveness check
};

}  // namespace

std::unique_ptr<Comm> make_mpi_world() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  bool initialised_here = false;
  int provided = 0;
  if (initialised == 0) {
    // FUNNELED: jobs run in other threads, but only this one calls MPI.
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      throw core::DaytraderError(
          "MPI_Init_thread failed: the MPI launcher's environment is set but MPI cannot start");
    }
    initialised_here = true;
  } else {
    MPI_Query_thread(&provided);
  }
  if (provided < MPI_THREAD_FUNNELED) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    abort_process(rank,
                  fmt::format("{} provides MPI thread level {}; daytrader needs MPI_THREAD_FUNNELED ({})",
                              mpi_description(), provided, MPI_THREAD_FUNNELED));
  }
  return std::make_unique<MpiComm>(initialised_here);
}

void finalize_mpi_world(Comm& world) {
  if (auto* mpi = dynamic_cast<MpiComm*>(&world)) mpi->finalize();
}

bool mpi_is_up() noexcept {
  int initialised = 0;
  int finalized = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalized);
  return initialised != 0 && finalized == 0;
}

void mpi_abort_world() noexcept {
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);  // MPI_Abort does not return; should it, end this rank at least
}

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return {};
  return std::string(text, static_cast<std::size_t>(std::max(length, 0)));
}

}  // namespace daytrader::dist::detail
