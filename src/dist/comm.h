#pragma once
// The processes of one daytrader job: MPI_COMM_WORLD when the program was started by an MPI
// launcher (mpirun, mpiexec, Slurm's srun) and built with MPI, else a group of one.
//
// Every blocking operation has a deadline. MPI itself offers none: a rank that dies is usually
// noticed by the launcher (mpirun ends the job and names the rank), but a rank that hangs, or a
// launcher that lets the others live on, would leave the rest waiting forever. Here a collective
// that has not completed within collective_timeout_s ends the whole job (MPI_Abort) with a message
// that names this rank, the operation, its activity (set_activity) and the ranks that did not
// answer a liveness check, so a stuck job always ends, and says where.
//
// Only the thread that created the world calls MPI (MPI_THREAD_FUNNELED); other threads may run
// jobs but never communicate.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rl/reduce_group.h"

namespace daytrader::dist {

struct CommSettings {
  double collective_timeout_s = 600;  // a collective that takes longer ends the job
  double liveness_grace_s = 5;        // after a timeout, how long ranks get to answer "are you alive"
};

class Comm : public rl::ReduceGroup {
 public:
  [[nodiscard]] bool is_root() const noexcept { return rank() == 0; }
  // This rank's host name, for messages.
  [[nodiscard]] virtual std::string host() const = 0;

  // root's bytes into every rank's `data` (same length on every rank).
  virtual void broadcast(std::span<std::byte> data, int root, std::string_view what) = 0;
  // Waits until every rank has arrived.
  virtual void barrier(std::string_view what) = 0;

  // Point-to-point messages (the sweep's scheduler). Tags >= 0 are the caller's.
  struct Message {
    int source = 0;
    int tag = 0;
    std::vector<std::byte> data;
  };
  virtual void send(int dest, int tag, std::span<const std::byte> data) = 0;
  // The next message from any rank with any caller tag, waiting at most `wait`; nullopt if none came.
  [[nodiscard]] virtual std::optional<Message> receive(std::chrono::milliseconds wait) = 0;

  // Ends every rank of the job: prints "daytrader rank R (HOST): MESSAGE" on stderr, then
  // MPI_Abort (a group of one exits with status 1).
  [[noreturn]] virtual void abort(std::string_view message) = 0;
};

// The process's world, created on first use: MPI_Init_thread when launched by an MPI launcher
// and built with MPI, else a group of one (no MPI call at all).
[[nodiscard]] Comm& world();
void set_world_settings(const CommSettings& settings);  // before or after world(); applies to later calls
// MPI_Finalize if world() initialised MPI; call once at the end of main work. Idempotent.
void finalize();

// A group of one, whatever the launcher: for work that must not communicate (one sweep job).
[[nodiscard]] std::unique_ptr<Comm> make_self();

// What the launcher said: the environment of mpirun/mpiexec (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
// PMIX_RANK) or srun (SLURM_PROCID with PMI/PMIx). False when started by hand.
[[nodiscard]] bool launched_by_mpi_launcher();
// Whether this build has MPI, and which (e.g. "Open MPI v4.1.4"), or why not.
[[nodiscard]] bool built_with_mpi() noexcept;
[[nodiscard]] std::string mpi_description();

// What this rank is doing, for the messages of a timeout, an abort or a fatal signal ("fold 2
// seed 1: update 17", "job 5 of 12 (fold 1, seed 2, ppo.ent_coef=0.1)"). Cheap; thread-safe.
void set_activity(std::string_view activity);
[[nodiscard]] std::string activity();
// Installs handlers for SIGTERM, SIGINT and SIGHUP (what mpirun sends the other ranks when one
// fails) that write "daytrader rank R (HOST, pid P): ended by signal S while ACTIVITY" to stderr
// and then end the process as the signal would.
void install_signal_messages();

}  // namespace daytrader::dist
