// What this rank is doing, and the messages that say so when the process ends by a signal.
//
// The activity lives twice: as a std::string behind a mutex for activity(), and as a fixed-size
// copy behind a sequence lock for the signal handler, which may neither lock nor allocate. The
// handler formats its whole line on the stack from those, the rank (an atomic) and the host name
// (written once before any handler is installed), and writes it with one write(2).

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>

#include "dist/comm.h"
#include "dist/detail.h"

namespace daytrader::dist {
namespace {

// Longer activities are cut in signal messages only; activity() returns them whole.
constexpr std::size_t kSignalActivityCapacity = 200;

std::mutex g_activity_mutex;
std::string g_activity;  // guarded by g_activity_mutex

// The signal handler's copy: a sequence lock. The writer (under g_activity_mutex) makes g_seq odd,
// stores the characters, then makes it even; a reader retries while it saw an odd or changed
// count. Atomics rather than plain chars so that a concurrent read is not a data race; lock-free
// ones, so they are usable in a signal handler.
static_assert(std::atomic<char>::is_always_lock_free && std::atomic<std::uint32_t>::is_always_lock_free &&
              std::atomic<std::size_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
std::atomic<std::uint32_t> g_seq{0};
std::array<std::atomic<char>, kSignalActivityCapacity> g_signal_chars{};
std::atomic<std::size_t> g_signal_length{0};

std::atomic<int> g_rank{-1};

// Host name, written once by host_name() (call_once) before the handlers are installed.
std::once_flag g_host_once;
char g_host[256] = "unknown host";

void publish_for_signals(std::string_view text) {
  const std::size_t n = std::min(text.size(), g_signal_chars.size());
  g_seq.fetch_add(1, std::memory_order_relaxed);  // odd: being written
  std::atomic_thread_fence(std::memory_order_release);
  for (std::size_t i = 0; i < n; ++i) g_signal_chars[i].store(text[i], std::memory_order_relaxed);
  g_signal_length.store(n, std::memory_order_relaxed);
  g_seq.fetch_add(1, std::memory_order_release);  // even: complete
}

// Async-signal-safe pieces of the handler's line.
struct LineBuffer {
  char data[512];
  std::size_t length = 0;

  void append(const char* text, std::size_t n) noexcept {
    n = std::min(n, sizeof(data) - length);
    std::memcpy(data + length, text, n);
    length += n;
  }
  void append(const char* text) noexcept { append(text, std::strlen(text)); }
  void append(long long value) noexcept {
    char digits[24];
    std::size_t n = 0;
    const bool negative = value < 0;
    unsigned long long v =
        negative ? 0ULL - static_cast<unsigned long long>(value) : static_cast<unsigned long long>(value);
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    if (negative) append("-", 1);
    while (n > 0) append(&digits[--n], 1);
  }
};

// Reads the activity for the handler: a few tries at a consistent copy, then whatever it read
// (the handler may have interrupted the writer on this very thread, which will never finish).
std::size_t read_activity_for_signal(char* out) noexcept {
  std::size_t n = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const std::uint32_t before = g_seq.load(std::memory_order_acquire);
    n = std::min(g_signal_length.load(std::memory_order_relaxed), g_signal_chars.size());
    for (std::size_t i = 0; i < n; ++i) out[i] = g_signal_chars[i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (before % 2 == 0 && g_seq.load(std::memory_order_relaxed) == before) break;
  }
  return n;
}

const char* signal_name(int sig) noexcept {
  switch (sig) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "?";
  }
}

constexpr int kMessageSignals[] = {SIGTERM, SIGINT, SIGHUP};

// Only async-signal-safe calls: write, getpid, sigaction, raise.
void on_terminating_signal(int sig) {
  const int saved_errno = errno;
  LineBuffer line;
  line.append("daytrader rank ");
  const int rank = g_rank.load(std::memory_order_relaxed);
  if (rank >= 0) {
    line.append(static_cast<long long>(rank));
  } else {
    line.append("?");
  }
  line.append(" (");
  line.append(g_host);
  line.append(", pid ");
  line.append(static_cast<long long>(getpid()));
  line.append("): ended by signal ");
  line.append(static_cast<long long>(sig));
  line.append(" (");
  line.append(signal_name(sig));
  line.append(") while ");
  char activity_text[kSignalActivityCapacity];
  const std::size_t n = read_activity_for_signal(activity_text);
  if (n == 0) {
    line.append("(no activity set)");
  } else {
    line.append(activity_text, n);
  }
  line.append("\n");
  detail::write_stderr(std::string_view(line.data, line.length));

  // End as the signal would have: the default action, re-raised; it is delivered when this
  // handler returns (the signal is blocked while the handler runs).
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(sig, &default_action, nullptr);
  raise(sig);
  errno = saved_errno;
}

}  // namespace

void set_activity(std::string_view activity) {
  const std::lock_guard lock(g_activity_mutex);
  g_activity.assign(activity);
  publish_for_signals(activity);
}

std::string activity() {
  const std::lock_guard lock(g_activity_mutex);
  return g_activity;
}

void install_signal_messages() {
  (void)detail::host_name();  // before any handler can read it
  detail::set_rank_for_messages(detail::rank_for_messages());
  struct sigaction action {};
  action.sa_handler = on_terminating_signal;
  // One message per process: the other two signals wait while the handler runs.
  sigemptyset(&action.sa_mask);
  for (const int sig : kMessageSignals) sigaddset(&action.sa_mask, sig);
  action.sa_flags = 0;
  for (const int sig : kMessageSignals) sigaction(sig, &action, nullptr);
}

namespace detail {

const char* host_name() {
  std::call_once(g_host_once, [] {
    char name[sizeof(g_host)] = {};
    if (gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0')
      std::memcpy(g_host, name, sizeof(g_host));
  });
  return g_host;
}

void set_rank_for_messages(int rank) {
  g_rank.store(rank, std::memory_order_relaxed);
}

int rank_for_messages() {
  const int rank = g_rank.load(std::memory_order_relaxed);
  if (rank >= 0) return rank;
  const auto launcher = launcher_info();
  return launcher.launched && launcher.rank >= 0 ? launcher.rank : 0;
}

void write_stderr(std::string_view text) noexcept {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t written = ::write(STDERR_FILENO, p, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    p += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace detail
}  // namespace daytrader::dist
