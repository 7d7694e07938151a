// The world (MPI or a group of one), the group of one itself, and what does not need MPI.
// The MPI implementation is in mpi_comm.cpp, compiled only when CMake found MPI.

#include "dist/comm.h"

#include <fmt/format.h>
#include <unistd.h>  // environ

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "core/assert.h"
#include "core/result.h"
#include "dist/detail.h"

namespace daytrader::dist {
namespace {

std::mutex g_settings_mutex;
CommSettings g_settings;  // guarded by g_settings_mutex

std::mutex g_world_mutex;
std::unique_ptr<Comm> g_world;  // guarded by g_world_mutex; lives until the process ends

// An environment variable as a non-negative int, or -1 (unset, empty or not a number).
int env_int(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return -1;
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  if (*end != '\0' || parsed < 0 || parsed > 1'000'000) return -1;
  return static_cast<int>(parsed);
}

bool env_set(const char* name) {
  return std::getenv(name) != nullptr;
}

bool any_env_with_prefix(std::string_view prefix) {
  for (char** entry = ::environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with(prefix)) return true;
  }
  return false;
}

// A group of one: every collective is the identity, and messages to itself wait in a queue.
class SelfComm final : public Comm {
 public:
  [[nodiscard]] int rank() const noexcept override { return 0; }
  [[nodiscard]] int size() const noexcept override { return 1; }
  [[nodiscard]] std::string host() const override { return detail::host_name(); }

  void allreduce_sum(std::span<float> /*data*/, std::string_view /*what*/) override {}
  void allreduce_sum(std::span<double> /*data*/, std::string_view /*what*/) override {}
  void broadcast(std::span<std::byte> /*data*/, int root, std::string_view /*what*/) override {
    DT_ASSERT(root == 0, "broadcast from a rank other than 0 in a group of one");
  }
  void barrier(std::string_view /*what*/) override {}

  void send(int dest, int tag, std::span<const std::byte> data) override {
    DT_ASSERT(dest == 0, "a group of one can only send to rank 0, itself");
    DT_ASSERT(tag >= 0, "message tags below 0 are reserved");
    const std::lock_guard lock(mutex_);
    queue_.push_back(Message{0, tag, std::vector<std::byte>(data.begin(), data.end())});
  }

  // Nothing but this process can send, and only from the thread that receives (comm.h), so with
  // an empty queue nothing can come: it waits out `wait` only to keep the documented timing of a
  // caller's polling loop.
  std::optional<Message> receive(std::chrono::milliseconds wait) override {
    {
      const std::lock_guard lock(mutex_);
      if (!queue_.empty()) {
        Message message = std::move(queue_.front());
        queue_.pop_front();
        return message;
      }
    }
    if (wait.count() > 0) std::this_thread::sleep_for(wait);
    return std::nullopt;
  }

  [[noreturn]] void abort(std::string_view message) override {
    detail::abort_process(detail::rank_for_messages(), message);
  }

 private:
  std::mutex mutex_;
  std::deque<Message> queue_;
};

std::unique_ptr<Comm> create_world() {
  const auto launcher = detail::launcher_info();
  if (launcher.launched) {
#if DAYTRADER_HAVE_MPI
    auto world = detail::make_mpi_world();
    detail::set_rank_for_messages(world->rank());
    return world;
#else
    // Running as a group of one here would make every rank do the whole job on its own, N copies
    // of the same work writing the same files: refuse instead.
    if (launcher.size > 1 || launcher.rank > 0) {
      throw core::DaytraderError(fmt::format(
          "started by an MPI launcher as rank {} of {}, but this daytrader was built without MPI; install "
          "libopenmpi-dev and openmpi-bin (scripts/install-deps.sh lists them) and rebuild, or run without "
          "mpirun",
          launcher.rank < 0 ? std::string("?") : std::to_string(launcher.rank),
          launcher.size < 0 ? std::string("?") : std::to_string(launcher.size)));
    }
#endif
  }
  detail::set_rank_for_messages(0);
  return std::make_unique<SelfComm>();
}

}  // namespace

Comm& world() {
  const std::lock_guard lock(g_world_mutex);
  if (!g_world) g_world = create_world();
  return *g_world;
}

void set_world_settings(const CommSettings& settings) {
  if (!(settings.collective_timeout_s > 0) || !(settings.liveness_grace_s > 0)) {
    throw core::DaytraderError(fmt::format(
        "communication settings: collective_timeout_s {} and liveness_grace_s {} must both be above 0",
        settings.collective_timeout_s, settings.liveness_grace_s));
  }
  const std::lock_guard lock(g_settings_mutex);
  g_settings = settings;
}

void finalize() {
  const std::lock_guard lock(g_world_mutex);
#if DAYTRADER_HAVE_MPI
  if (g_world) detail::finalize_mpi_world(*g_world);
#endif
}

std::unique_ptr<Comm> make_self() {
  return std::make_unique<SelfComm>();
}

// The rule: a process belongs to an MPI job when its launcher left the variables through which
// MPI_Init finds the job:
// - OMPI_COMM_WORLD_SIZE: Open MPI's mpirun/mpiexec (ORTE, up to 4.x);
// - PMI_SIZE: MPICH's and Intel MPI's Hydra, and srun --mpi=pmi2;
// - PMIX_RANK: any PMIx launcher (Open MPI 5's prterun, srun --mpi=pmix);
// - SLURM_PROCID together with PMI_FD or a PMIX_* variable: srun with an MPI plugin whose
//   variables are not among the above.
// SLURM_PROCID alone is not enough: every process of a Slurm batch script has it, and srun
// without an MPI plugin starts independent programs that MPI_Init could not join anyway.
bool launched_by_mpi_launcher() {
  return detail::launcher_info().launched;
}

bool built_with_mpi() noexcept {
  return DAYTRADER_HAVE_MPI != 0;
}

std::string mpi_description() {
#if DAYTRADER_HAVE_MPI
  // "Open MPI v4.1.4, package: Debian OpenMPI, ident: ..." -> "Open MPI v4.1.4".
  std::string text = detail::mpi_library_version();
  text = text.substr(0, text.find('\n'));
  text = text.substr(0, text.find(','));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
  return text.empty() ? std::string("MPI (MPI_Get_library_version is empty)") : text;
#else
  return "built without MPI";
#endif
}

namespace detail {

LauncherInfo launcher_info() {
  LauncherInfo info;
  const bool slurm_with_pmi = env_set("SLURM_PROCID") && (env_set("PMI_FD") || any_env_with_prefix("PMIX_"));
  info.launched =
      env_set("OMPI_COMM_WORLD_SIZE") || env_set("PMI_SIZE") || env_set("PMIX_RANK") || slurm_with_pmi;
  if (!info.launched) return info;
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"}) {
    if (info.size < 0) info.size = env_int(name);
  }
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"}) {
    if (info.rank < 0) info.rank = env_int(name);
  }
  return info;
}

CommSettings world_settings() {
  const std::lock_guard lock(g_settings_mutex);
  return g_settings;
}

void pause_polling(std::chrono::steady_clock::duration waited) {
  using namespace std::chrono_literals;
  if (waited < 5ms) return;
  std::this_thread::sleep_for(waited < 7ms ? 50us : waited < 20ms ? 200us : 1ms);
}

std::chrono::steady_clock::duration seconds_to_duration(double seconds) {
  constexpr double kTenYears_s = 10 * 365.25 * 24 * 3600;
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::clamp(seconds, 0.0, kTenYears_s)));
}

std::string format_seconds(double seconds) {
  return seconds < 100 ? fmt::format("{:.1f}", seconds) : fmt::format("{:.0f}", seconds);
}

void abort_process(int rank, std::string_view message) {
  // stdout first: whatever the program printed belongs before the reason it ended.
  std::fflush(nullptr);
  write_stderr(fmt::format("daytrader rank {} ({}): {}\n", rank, host_name(), message));
#if DAYTRADER_HAVE_MPI
  if (mpi_is_up()) mpi_abort_world();
#endif
  // _Exit, not exit: other threads may still run jobs, and static destructors under them crash.
  std::_Exit(1);
}

}  // namespace detail
}  // namespace daytrader::dist
