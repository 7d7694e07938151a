#include "net/server.h"

#include <fmt/format.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace daytrader::net {

namespace {

using asio::ip::tcp;

std::chrono::nanoseconds until(core::Timestamp when, core::Timestamp now) {
  return when <= now ? std::chrono::nanoseconds(0) : when - now;
}

// Per connection, this many ignored or unknown messages are logged; the rest are counted.
constexpr std::uint64_t kLoggedPerConnection = 3;

LogLevel level_of(dtc::CloseKind kind) {
  switch (kind) {
    case dtc::CloseKind::kLocalLogoff:
    case dtc::CloseKind::kPeerLogoff:
    case dtc::CloseKind::kTransport:
      return LogLevel::kInfo;
    case dtc::CloseKind::kLogonRejected:
    case dtc::CloseKind::kTimeout:
    case dtc::CloseKind::kProtocolError:
    case dtc::CloseKind::kLimit:
      return LogLevel::kWarning;
  }
  return LogLevel::kWarning;
}

}  // namespace

core::Timestamp Server::now() noexcept {
  return core::Timestamp(
      std::chrono::duration_cast<core::Nanoseconds>(std::chrono::system_clock::now().time_since_epoch()));
}

struct Server::Impl {
  struct Connection : dtc::ServerSessionHandler {
    Connection(Impl& impl_, ConnectionId id_, tcp::socket socket_)
        : impl(impl_),
          id(id_),
          socket(std::move(socket_)),
          session(impl_.options.session, *this),
          read_buf(impl_.options.read_buffer_bytes) {}

    void on_logged_on(const dtc::LogonRequest& r) override {
      impl.log(LogLevel::kInfo,
               fmt::format("{}: logged on username=\"{}\" client=\"{}\" encoding={} heartbeat_s={}", remote,
                           r.username.view(), r.client_name.view(), dtc::to_string(session.encoding()),
                           session.heartbeat_interval_s()));
      impl.app.on_logged_on(id, r, now);
    }
    void on_message(const dtc::Message& m) override {
      if (const auto* u = std::get_if<dtc::UnknownMessage>(&m);
          u != nullptr && unknown++ < kLoggedPerConnection)
        impl.log(
            LogLevel::kWarning,
            fmt::format("{}: skipped a message of unknown type {} ({} bytes){}", remote, u->type, u->size,
                        unknown == kLoggedPerConnection ? "; further ones are not logged" : ""));
      impl.app.on_message(id, m, now);
    }
    void on_heartbeat(const dtc::Heartbeat& h) override { impl.app.on_heartbeat(id, h, now); }
    void on_ignored(const dtc::Message& m) override {
      if (ignored++ < kLoggedPerConnection) {
        const std::uint16_t type = dtc::message_type(m);
        impl.log(LogLevel::kInfo,
                 fmt::format("{}: ignored {} (type {}) {} (dtc.md 9.10){}", remote, dtc::message_name(type),
                             type, session.is_logged_on() ? "after logon" : "before logon",
                             ignored == kLoggedPerConnection ? "; further ones are not logged" : ""));
      }
      impl.app.on_ignored(id, m);
    }

    Impl& impl;
    ConnectionId id;
    tcp::socket socket;
    dtc::ServerSession session;
    std::vector<std::uint8_t> read_buf;
    std::vector<std::uint8_t> write_buf;
    bool writing = false;
    bool gone = false;
    core::Timestamp now{};
    std::string remote;               // "address:port", for the log
    std::string address;              // the peer's IP, for failed-logon limits
    core::Timestamp last_activity{};  // the last byte read or written
    std::uint64_t unknown = 0;        // messages of unknown types (logged: the first few)
    std::uint64_t ignored = 0;        // messages ignored by the session
  };
  // Refused logons of one peer address.
  struct Failures {
    int count = 0;
    core::Timestamp last{};
    bool reported = false;  // the block was logged once
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  Impl(ServerOptions o, ServerApp& a) : options(std::move(o)), app(a), acceptor(io), timer(io) {}

  ServerOptions options;
  ServerApp& app;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::steady_timer timer;
  std::thread thread;
  std::unordered_map<ConnectionId, ConnectionPtr> connections;
  ConnectionId next_id = 1;
  core::Timestamp app_wake = core::Timestamp::min();
  core::Timestamp timer_at = core::Timestamp::max();
  std::atomic<std::size_t> live{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::uint64_t> limit_drops{0};
  std::atomic<std::uint64_t> logon_failures{0};
  std::atomic<std::uint64_t> refused{0};
  std::unordered_map<std::string, Failures> failures;
  bool in_after_event = false;

  void log(LogLevel level, const std::string& text) const {
    if (options.log) options.log(level, text);
  }

  // Closes c because of a limit, with the reason in its CloseInfo and in the log (drop()).
  void close_for(const ConnectionPtr& c, const std::string& reason) {
    if (c->gone) return;
    ++limit_drops;
    c->session.on_limit(reason);
    drop(c);
  }

  // True (and logs it once per block) when address has failed to log on too often lately.
  bool is_blocked(const std::string& address, core::Timestamp now) {
    if (options.max_failed_logons <= 0) return false;
    auto it = failures.find(address);
    if (it == failures.end()) return false;
    Failures& f = it->second;
    if (now - f.last >= options.failed_logon_window) {
      failures.erase(it);
      return false;
    }
    if (f.count < options.max_failed_logons) return false;
    if (!f.reported)
      log(LogLevel::kWarning,
          fmt::format(
              "{}: {} failed logons within {} s: refusing its connections for {} s after the last (each "
              "closed at accept, counted, not logged one by one)",
              address, f.count,
              std::chrono::duration_cast<std::chrono::seconds>(options.failed_logon_window).count(),
              std::chrono::duration_cast<std::chrono::seconds>(options.failed_logon_window).count()));
    f.reported = true;
    return true;
  }

  // Counts a refused logon; returns the note for the close's log line.
  std::string note_failed_logon(const Connection& c) {
    ++logon_failures;
    const core::Timestamp now = Server::now();
    Failures& f = failures[c.address];
    if (now - f.last >= options.failed_logon_window) f = Failures{};
    ++f.count;
    f.last = now;
    return fmt::format(" (failed logon {} from this address)", f.count);
  }

  std::vector<ConnectionPtr> snapshot() const {
    std::vector<ConnectionPtr> v;
    v.reserve(connections.size());
    for (const auto& [id, c] : connections) v.push_back(c);
    return v;
  }

  void do_accept() {
    acceptor.async_accept([this](const asio::error_code& ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        do_accept();
        return;
      }
      asio::error_code ignored;
      std::string address;
      std::string remote = "?";
      if (const auto peer = socket.remote_endpoint(ignored); !ignored) {
        address = peer.address().to_string();
        remote = fmt::format("{}:{}", address, peer.port());
      }
      if (is_blocked(address, Server::now())) {
        ++refused;
        socket.close(ignored);
        do_accept();
        return;
      }
      socket.set_option(tcp::no_delay(true), ignored);
      auto c = std::make_shared<Connection>(*this, next_id++, std::move(socket));
      c->address = std::move(address);
      c->remote = std::move(remote);
      connections.emplace(c->id, c);
      live = connections.size();
      ++accepted;
      c->now = Server::now();
      c->last_activity = c->now;
      c->session.start(c->now);
      do_read(c);
      after_event();
      do_accept();
    });
  }

  void do_read(const ConnectionPtr& c) {
    c->socket.async_read_some(
        asio::buffer(c->read_buf), [this, c](const asio::error_code& ec, std::size_t n) {
          if (c->gone) return;
          if (ec) {
            c->session.on_transport_closed(ec == asio::error::eof ? "the client closed the connection"
                                                                  : ec.message());
            drop(c);
            after_event();
            return;
          }
          c->now = Server::now();
          c->last_activity = c->now;
          c->session.on_bytes(std::span<const std::uint8_t>(c->read_buf.data(), n), c->now);
          if (!c->session.is_closed()) do_read(c);
          after_event();
        });
  }

  void flush(const ConnectionPtr& c) {
    if (c->gone || c->writing) return;
    if (!c->session.has_output()) {
      if (c->session.is_closed()) drop(c);
      return;
    }
    c->session.take_output(c->write_buf);
    c->writing = true;
    asio::async_write(c->socket, asio::buffer(c->write_buf),
                      [this, c](const asio::error_code& ec, std::size_t) {
                        c->writing = false;
                        if (c->gone) return;
                        c->last_activity = Server::now();
                        if (ec) {
                          c->session.on_transport_closed(ec.message());
                          drop(c);
                        }
                        after_event();
                      });
  }

  void drop(const ConnectionPtr& c) {
    if (c->gone) return;
    c->gone = true;
    asio::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    connections.erase(c->id);
    live = connections.size();
    // Every close is logged, with what ended it (dtc::CloseKind) and why.
    const dtc::CloseInfo& info = c->session.close_info();
    const std::string note =
        info.kind == dtc::CloseKind::kLogonRejected ? note_failed_logon(*c) : std::string();
    log(level_of(info.kind),
        fmt::format("{}: disconnected ({}): {}{}", c->remote, dtc::to_string(info.kind), info.reason, note));
    app.on_closed(c->id, info);
  }

  // After any event: session timers, the app's streaming, writes, and the next wake-up.
  void after_event() {
    if (in_after_event) return;  // an app callback re-entering through a synchronous path
    in_after_event = true;
    const core::Timestamp now = Server::now();
    core::Timestamp next = core::Timestamp::max();
    for (const auto& c : snapshot()) {
      if (c->session.next_deadline() <= now) {
        c->now = now;
        c->session.on_time(now);
      }
    }
    app_wake = app.on_poll(now);
    next = app_wake;
    for (const auto& c : snapshot()) {
      const std::size_t pending = c->session.output_size() + (c->writing ? c->write_buf.size() : 0);
      if (options.max_pending_bytes > 0 && pending > options.max_pending_bytes) {
        close_for(c, fmt::format("{} bytes queued and not read by the client, limit {}", pending,
                                 options.max_pending_bytes));
        continue;
      }
      if (options.idle_timeout > core::Nanoseconds::zero() && !c->writing && !c->session.has_output() &&
          now - c->last_activity >= options.idle_timeout) {
        close_for(c, fmt::format("idle: nothing received or sent for {} s",
                                 std::chrono::duration_cast<std::chrono::seconds>(now - c->last_activity).count()));
        continue;
      }
      flush(c);
      if (c->gone) continue;
      next = std::min(next, c->session.next_deadline());
      if (options.idle_timeout > core::Nanoseconds::zero()) next = std::min(next, c->last_activity + options.idle_timeout);
    }
    in_after_event = false;
    arm(next, now);
  }

  void arm(core::Timestamp next, core::Timestamp now) {
    if (next == core::Timestamp::max() || next >= timer_at) return;
    timer_at = next;
    timer.expires_after(until(next, now));
    timer.async_wait([this, at = next](const asio::error_code& ec) {
      if (ec) return;  // re-armed earlier, or stopped
      if (timer_at == at) timer_at = core::Timestamp::max();
      after_event();
    });
  }

  void close_all(const char* reason) {
    asio::error_code ignored;
    acceptor.close(ignored);
    timer.cancel();
    for (const auto& c : snapshot()) {
      c->session.on_transport_closed(reason);
      drop(c);
    }
  }
};

Server::Server(ServerOptions options, ServerApp& app)
    : impl_(std::make_unique<Impl>(std::move(options), app)) {}

Server::~Server() {
  stop();
}

core::Status Server::start() {
  auto& i = *impl_;
  const std::string where = fmt::format("{}:{}", i.options.bind_address, i.options.port);
  asio::error_code ec;
  const auto address = asio::ip::make_address(i.options.bind_address, ec);
  if (ec)
    return core::Error{
        fmt::format("cannot listen on {}: \"{}\" is not an IP address", where, i.options.bind_address)};
  const tcp::endpoint endpoint(address, i.options.port);
  i.acceptor.open(endpoint.protocol(), ec);
  if (!ec) i.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(endpoint, ec);
  if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    i.acceptor.close(ignored);
    return core::Error{fmt::format("cannot listen on {}: {}", where, ec.message())};
  }
  i.bound_port = i.acceptor.local_endpoint().port();
  i.do_accept();
  i.thread = std::thread([&i] { i.io.run(); });
  return {};
}

void Server::stop() {
  auto& i = *impl_;
  if (!i.thread.joinable()) return;
  asio::post(i.io, [&i] {
    i.close_all("the server stopped");
    i.io.stop();
  });
  i.thread.join();
}

void Server::shutdown(const std::string& reason) {
  auto& i = *impl_;
  if (!i.thread.joinable()) return;
  asio::post(i.io, [&i, reason] {
    asio::error_code ignored;
    i.acceptor.close(ignored);
    const auto now = Server::now();
    for (const auto& c : i.snapshot()) c->session.logoff(reason, false, now);
    i.after_event();
  });
  // Give the LOGOFFs a moment to be written; the connections drop once they are.
  for (int k = 0; k < 200 && i.live.load() > 0; ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop();
}

std::uint16_t Server::port() const noexcept {
  return impl_->bound_port.load();
}

void Server::post(std::function<void()> f) {
  auto& i = *impl_;
  asio::post(i.io, [&i, f = std::move(f)] {
    f();
    i.after_event();
  });
}

dtc::ServerSession* Server::session(ConnectionId id) {
  auto it = impl_->connections.find(id);
  return it == impl_->connections.end() ? nullptr : &it->second->session;
}

std::size_t Server::pending_bytes(ConnectionId id) const {
  auto it = impl_->connections.find(id);
  if (it == impl_->connections.end()) return 0;
  const auto& c = *it->second;
  return c.session.output_size() + (c.writing ? c.write_buf.size() : 0);
}

void Server::wake_at(core::Timestamp when) {
  impl_->arm(when, Server::now());
}

std::size_t Server::connection_count() const noexcept {
  return impl_->live.load();
}
std::uint64_t Server::connections_accepted() const noexcept {
  return impl_->accepted.load();
}
std::uint64_t Server::limit_disconnects() const noexcept {
  return impl_->limit_drops.load();
}
std::uint64_t Server::failed_logons() const noexcept {
  return impl_->logon_failures.load();
}
std::uint64_t Server::refused_connections() const noexcept {
  return impl_->refused.load();
}

}  // namespace daytrader::net
