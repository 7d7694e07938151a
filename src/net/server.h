#pragma once
// net::Server: a TCP server that runs one dtc::ServerSession per connection on one io_context
// thread (asio stays inside server.cpp). What the server does with the messages is a ServerApp:
// the stand-in exchange of sim/, or a test's.
//
// Threading: every ServerApp callback runs on the server's io thread, and so must every use of
// session(). Other threads hand work to it with post(). The app writes replies with
// session(id)->send(m); the server writes the output after each callback and each poll.
//
// Flow control: on_poll() runs after every read, every completed write and whenever the time
// the previous on_poll() asked for comes. An app that streams (the replay) checks
// pending_bytes(id) and produces more only below its high-water mark, so a slow client slows
// the replay instead of growing memory.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/timestamp.h"
#include "dtc/server_session.h"

namespace daytrader::net {

using ConnectionId = std::uint64_t;

// How much a log line matters: kInfo for the ordinary (a logon, a client that logged off or
// closed its socket), kWarning for what an operator should look at (refused logons, limits,
// protocol errors, timeouts).
enum class LogLevel : std::uint8_t { kInfo, kWarning };

class ServerApp {
 public:
  virtual ~ServerApp() = default;
  virtual void on_logged_on(ConnectionId id, const dtc::LogonRequest& request, core::Timestamp now) {
    (void)id, (void)request, (void)now;
  }
  virtual void on_message(ConnectionId id, const dtc::Message& message, core::Timestamp now) = 0;
  // A HEARTBEAT from a logged-on client (the session has already counted it as life). Apps
  // that do not care leave it alone; the simulator's client pacing reads CurrentDateTime.
  virtual void on_heartbeat(ConnectionId id, const dtc::Heartbeat& heartbeat, core::Timestamp now) {
    (void)id, (void)heartbeat, (void)now;
  }
  virtual void on_closed(ConnectionId id, const dtc::CloseInfo& info) { (void)id, (void)info; }
  // A message dropped because it came before logon (for the log).
  virtual void on_ignored(ConnectionId id, const dtc::Message& message) { (void)id, (void)message; }
  // Produce streamed output; return when to be polled again (Timestamp::max(): only on events).
  virtual core::Timestamp on_poll(core::Timestamp now) {
    (void)now;
    return core::Timestamp::max();
  }
};

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 11099;  // 0 = an ephemeral port, see Server::port()
  dtc::ServerSessionConfig session;
  std::size_t read_buffer_bytes = 64 * 1024;

  // Limits (each disconnect, like every other, is logged with its reason through `log`):
  // - max_pending_bytes: output queued for one connection and not yet written (a client that
  //   sends requests and never reads); above it the connection is closed at once. The replay
  //   and history stay far below it (they stop at the app's high-water mark); 0 = no limit.
  std::size_t max_pending_bytes = 64u << 20;
  // - idle_timeout: a connection that has neither sent a byte nor had a byte written to it for
  //   this long is closed (a client with HeartbeatInterval 0 that went silent; a downloader
  //   receiving a long history is never idle). Zero = no limit.
  core::Nanoseconds idle_timeout = std::chrono::minutes(5);
  // - failed logons: after max_failed_logons refused logons from one address within
  //   failed_logon_window, that address's new connections are closed at accept until the
  //   window since its last failure has passed. 0 = no limit.
  int max_failed_logons = 5;
  core::Nanoseconds failed_logon_window = std::chrono::seconds(60);
  // Where the server reports what happens to connections, one line each ("127.0.0.1:53412:
  // ..."): every close with its kind and reason (dtc::CloseKind: the client logged off or closed
  // its socket, a timeout, a protocol error with the decoder's message, a limit, a refused logon,
  // the server stopping), every logon with its encoding, a blocked address, messages ignored
  // before logon and messages of unknown types (the first few of each per connection). Called on
  // the io thread. Empty: not reported.
  std::function<void(LogLevel, const std::string&)> log;
};

class Server {
 public:
  Server(ServerOptions options, ServerApp& app);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the io thread. Error: "cannot listen on 127.0.0.1:11099: Address
  // already in use".
  [[nodiscard]] core::Status start();
  // Closes every connection abruptly (no LOGOFF: a crash, as far as clients can tell) and joins
  // the io thread. Idempotent.
  void stop();
  // Sends LOGOFF to every client, writes it, then stops.
  void shutdown(const std::string& reason);

  // The port bound (useful with port 0).
  [[nodiscard]] std::uint16_t port() const noexcept;
  // Runs f on the io thread.
  void post(std::function<void()> f);

  // io thread only: the session of a live connection, or nullptr.
  [[nodiscard]] dtc::ServerSession* session(ConnectionId id);
  // io thread only: bytes produced for id and not yet written to its socket.
  [[nodiscard]] std::size_t pending_bytes(ConnectionId id) const;
  // io thread only: asks the server to call on_poll() at `when` (or sooner).
  void wake_at(core::Timestamp when);

  // Thread-safe counters.
  [[nodiscard]] std::size_t connection_count() const noexcept;
  [[nodiscard]] std::uint64_t connections_accepted() const noexcept;
  // Connections closed by a limit (queue, idle) and refused logons, and connections refused at
  // accept because their address failed to log on too often.
  [[nodiscard]] std::uint64_t limit_disconnects() const noexcept;
  [[nodiscard]] std::uint64_t failed_logons() const noexcept;
  [[nodiscard]] std::uint64_t refused_connections() const noexcept;

  // The wall clock the server gives its sessions and app (UTC).
  [[nodiscard]] static core::Timestamp now() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daytrader::net
