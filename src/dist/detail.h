#pragma once
// Private to src/dist (and its tests): what comm.cpp, mpi_comm.cpp, activity.cpp and job_pool.cpp
// share. Not part of the API; nothing outside dist includes it.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "dist/comm.h"

// 1 when CMake found MPI (src/dist/CMakeLists.txt defines it for this library only).
#ifndef DAYTRADER_HAVE_MPI
#define DAYTRADER_HAVE_MPI 0
#endif

namespace daytrader::dist::detail {

// What the launcher put in the environment (see launched_by_mpi_launcher for the rule). size and
// rank are -1 where the launcher does not say (PMIx gives a rank but no size).
struct LauncherInfo {
  bool launched = false;
  int size = -1;
  int rank = -1;
};
[[nodiscard]] LauncherInfo launcher_info();

// The settings of set_world_settings, read by every blocking operation of the world.
[[nodiscard]] CommSettings world_settings();

// gethostname once, for messages ("unknown host" if it fails). Safe to read from a signal
// handler after the first call returned.
[[nodiscard]] const char* host_name();

// The rank that signal and abort messages name: the world's rank once world() exists, before
// that the launcher's, else 0. A group of one inside an MPI job (make_self, one sweep job) names
// the process by its world rank too, not by its rank 0 in the group.
void set_rank_for_messages(int rank);
[[nodiscard]] int rank_for_messages();

// The pause of a polling loop that has waited `waited` so far. The first 5 ms poll without pause:
// MPI's non-blocking collectives advance only inside MPI calls, so a rank that sleeps between
// tests slows every round of an allreduce (measured: a 57 KB gradient allreduce took 340 us with
// pauses from 100 us on, 80 us with 5 ms of polling; the trainer does 16 per update). Then pauses
// short enough that a completion is noticed soon and long enough that a rank waiting for a slow
// one does not burn a core: 50 us up to 7 ms, 200 us up to 20 ms, then 1 ms, which bounds the
// added latency at 5% of the wait.
void pause_polling(std::chrono::steady_clock::duration waited);

// Seconds from settings as a duration; a value too large for one (or infinite) becomes ten
// years, i.e. no deadline in practice, rather than an overflow.
[[nodiscard]] std::chrono::steady_clock::duration seconds_to_duration(double seconds);

// "12.3" below 100 s, "600" above: seconds as a person reads them in a message.
[[nodiscard]] std::string format_seconds(double seconds);

// Writes `text` to stderr with as few write(2) calls as the kernel allows (one, in practice), so
// lines of different ranks that mpirun merges do not interleave.
void write_stderr(std::string_view text) noexcept;

// Comm::abort of every implementation: "daytrader rank R (HOST): MESSAGE" on stderr after
// flushing stdio, then MPI_Abort when MPI is up (mpi_comm.cpp), else _Exit(1).
[[noreturn]] void abort_process(int rank, std::string_view message);

#if DAYTRADER_HAVE_MPI
// mpi_comm.cpp: MPI_Init_thread (unless someone else did) and MPI_COMM_WORLD as a Comm.
[[nodiscard]] std::unique_ptr<Comm> make_mpi_world();
// MPI_Finalize after a bounded barrier, if `world` is the MPI world and MPI is still up.
void finalize_mpi_world(Comm& world);
// Whether MPI is initialised and not yet finalised (MPI_Abort is then the way out).
[[nodiscard]] bool mpi_is_up() noexcept;
[[noreturn]] void mpi_abort_world() noexcept;
// MPI_Get_library_version, whole.
[[nodiscard]] std::string mpi_library_version();
#endif

}  // namespace daytrader::dist::detail
