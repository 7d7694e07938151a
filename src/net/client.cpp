#include "net/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <asio.hpp>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "net/server.h"

namespace daytrader::net {

namespace {
using asio::ip::tcp;
}  // namespace

struct Client::Impl : dtc::ClientSessionHandler {
  Impl(Client& owner_, ClientOptions o, ClientListener& l)
      : owner(owner_),
        options(std::move(o)),
        listener(l),
        work(asio::make_work_guard(io)),
        resolver(io),
        socket(io),
        timer(io),
        backoff_timer(io),
        connect_timer(io),
        read_buf(64 * 1024),
        backoff(options.initial_backoff) {}

  Client& owner;
  ClientOptions options;
  ClientListener& listener;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::resolver resolver;
  tcp::socket socket;
  asio::steady_timer timer;
  asio::steady_timer backoff_timer;
  asio::steady_timer connect_timer;
  std::thread thread;
  std::unique_ptr<dtc::ClientSession> session;
  std::vector<std::uint8_t> read_buf;
  std::vector<std::uint8_t> write_buf;
  bool writing = false;
  bool connected = false;
  bool stopping = false;
  std::uint64_t generation = 0;
  core::Nanoseconds backoff;
  std::map<std::uint32_t, dtc::MarketDataRequest> subscriptions;

  // --- session events (io thread) ---
  void on_logged_on(const dtc::LogonResponse& r) override {
    owner.logged_on_ = true;
    ++owner.logons_;
    backoff = options.initial_backoff;
    for (const auto& [id, request] : subscriptions) send_now(dtc::Message(request));
    listener.on_logged_on(r);
  }
  void on_message(const dtc::Message& m) override {
    ++owner.messages_;
    listener.on_message(m);
  }
  void on_closed(const dtc::CloseInfo&) override { owner.logged_on_ = false; }

  void send_now(const dtc::Message& m) {
    if (!session) {
      listener.on_send_error(
          fmt::format("DTC client: cannot send {}: not connected", dtc::message_name(dtc::message_type(m))));
      return;
    }
    std::visit(
        [this](const auto& x) {
          if constexpr (dtc::KnownMessage<std::decay_t<decltype(x)>>) {
            if (auto s = session->send(x); !s) listener.on_send_error(s.error().message);
          }
        },
        m);
  }

  // --- connection ---
  void connect() {
    if (stopping) return;
    const std::uint64_t gen = ++generation;
    asio::error_code ignored;
    socket.close(ignored);
    socket = tcp::socket(io);
    session = std::make_unique<dtc::ClientSession>(options.session, *this);
    writing = false;
    connected = false;
    ++owner.connects_;
    connect_timer.expires_after(options.connect_timeout);
    connect_timer.async_wait([this, gen](const asio::error_code& ec) {
      if (ec || gen != generation || connected) return;
      asio::error_code ignored2;
      socket.close(ignored2);  // the pending connect fails with operation_aborted
    });
    resolver.async_resolve(
        options.host, std::to_string(options.port),
        [this, gen](const asio::error_code& ec, const tcp::resolver::results_type& endpoints) {
          if (gen != generation) return;
          if (ec) return connect_failed(gen, ec.message());
          asio::async_connect(socket, endpoints,
                              [this, gen](const asio::error_code& ec2, const tcp::endpoint&) {
                                if (gen != generation) return;
                                if (ec2) return connect_failed(gen, ec2.message());
                                on_connected(gen);
                              });
        });
  }

  void connect_failed(std::uint64_t gen, const std::string& why) {
    if (gen != generation) return;
    session->on_transport_closed(fmt::format("cannot connect to {}:{}: {}", options.host, options.port,
                                             why == "Operation canceled" ? "timed out" : why));
    finish();
  }

  void on_connected(std::uint64_t gen) {
    connected = true;
    connect_timer.cancel();
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    session->start(Server::now());
    do_read(gen);
    after_event();
  }

  void do_read(std::uint64_t gen) {
    socket.async_read_some(asio::buffer(read_buf), [this, gen](const asio::error_code& ec, std::size_t n) {
      if (gen != generation || !session) return;
      if (ec) {
        session->on_transport_closed(ec == asio::error::eof ? "the server closed the connection"
                                                            : ec.message());
      } else {
        session->on_bytes(std::span<const std::uint8_t>(read_buf.data(), n), Server::now());
        if (!session->is_closed()) do_read(gen);
      }
      after_event();
    });
  }

  void after_event() {
    if (!session) return;
    const core::Timestamp now = Server::now();
    if (session->next_deadline() <= now) session->on_time(now);
    flush();
    if (session->is_closed()) {
      if (!writing && !session->has_output()) finish();
      return;
    }
    const core::Timestamp next = session->next_deadline();
    if (next == core::Timestamp::max()) return;
    const std::uint64_t gen = generation;
    timer.expires_after(next <= now ? core::Nanoseconds(0) : next - now);
    timer.async_wait([this, gen](const asio::error_code& ec) {
      if (ec || gen != generation) return;
      after_event();
    });
  }

  void flush() {
    if (writing || !connected || !session->has_output()) return;
    session->take_output(write_buf);
    writing = true;
    const std::uint64_t gen = generation;
    asio::async_write(socket, asio::buffer(write_buf), [this, gen](const asio::error_code& ec, std::size_t) {
      if (gen != generation) return;
      writing = false;
      if (ec) session->on_transport_closed(ec.message());
      after_event();
    });
  }

  // The connection is over: report it, then reconnect after the back-off or stop the thread.
  void finish() {
    const dtc::CloseInfo info = session->close_info();
    ++generation;  // every pending handler of this connection is now stale
    owner.logged_on_ = false;
    asio::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    timer.cancel();
    connect_timer.cancel();
    session.reset();
    const bool again = options.reconnect && info.may_reconnect && !stopping;
    listener.on_disconnected(info, again, again ? backoff : core::Nanoseconds(0));
    if (stopping) {
      work.reset();
      io.stop();
      return;
    }
    if (!again) return;
    backoff_timer.expires_after(backoff);
    backoff = std::min(backoff * 2, options.max_backoff);
    backoff_timer.async_wait([this](const asio::error_code& ec) {
      if (!ec) connect();
    });
  }
};

Client::Client(ClientOptions options, ClientListener& listener)
    : impl_(std::make_unique<Impl>(*this, std::move(options), listener)) {}

Client::~Client() {
  stop();
}

void Client::start() {
  auto& i = *impl_;
  if (i.thread.joinable()) return;
  if (auto ok = dtc::validate(i.options.session); !ok) {
    // Credentials the LOGON_REQUEST cannot carry (a password over 31 bytes) would be cut and
    // refused by every server: say so before connecting, and do not retry.
    asio::post(i.io, [&i, why = ok.error().message] {
      i.listener.on_disconnected(dtc::CloseInfo{dtc::CloseKind::kLogonRejected, why, false, {}}, false,
                                 core::Nanoseconds(0));
    });
  } else {
    asio::post(i.io, [&i] { i.connect(); });
  }
  i.thread = std::thread([&i] { i.io.run(); });
}

void Client::stop(const std::string& reason) {
  auto& i = *impl_;
  if (!i.thread.joinable()) return;
  asio::post(i.io, [&i, reason] {
    i.stopping = true;
    i.backoff_timer.cancel();
    if (!i.session) {  // between connections
      i.work.reset();
      i.io.stop();
      return;
    }
    if (!i.session->is_closed()) {
      if (i.connected) {
        i.session->logoff(reason, Server::now());
      } else {
        i.session->on_transport_closed(reason);
      }
    }
    i.after_event();
    // A peer that never reads must not hold us: give the LOGOFF a second at most.
    i.timer.expires_after(std::chrono::seconds(1));
    i.timer.async_wait([&i](const asio::error_code& ec) {
      if (!ec) i.io.stop();
    });
  });
  i.thread.join();
}

void Client::send(dtc::Message m) {
  auto& i = *impl_;
  asio::post(i.io, [&i, m = std::move(m)] {
    i.send_now(m);
    i.after_event();
  });
}

void Client::subscribe(const dtc::MarketDataRequest& request) {
  auto& i = *impl_;
  asio::post(i.io, [&i, request] {
    i.subscriptions[request.symbol_id] = request;
    if (i.session && i.session->is_logged_on()) {
      i.send_now(dtc::Message(request));
      i.after_event();
    }
  });
}

void Client::unsubscribe(std::uint32_t symbol_id) {
  auto& i = *impl_;
  asio::post(i.io, [&i, symbol_id] {
    i.subscriptions.erase(symbol_id);
    if (i.session && i.session->is_logged_on()) {
      dtc::MarketDataRequest r;
      r.request_action = dtc::RequestAction::kUnsubscribe;
      r.symbol_id = symbol_id;
      i.send_now(dtc::Message(r));
      i.after_event();
    }
  });
}

}  // namespace daytrader::net
