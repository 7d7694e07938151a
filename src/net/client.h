#pragma once
// net::Client: a DTC client over TCP that runs a dtc::ClientSession on its own io thread (asio
// stays inside client.cpp), reconnecting with exponential back-off (dtc.md §9.9: 1, 2, 4 ... 60 s
// by default) and re-sending its market data subscriptions, with the same SymbolIDs, after every
// logon (§5.1, §8(e)).
//
// It does not reconnect after our own stop(), after LOGOFF with DoNotReconnect = 1, after
// LOGON_ERROR_NO_RECONNECT, or when `reconnect` is off.
//
// Threading: listener callbacks run on the client's io thread; every public method is
// thread-safe (it posts to that thread).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/timestamp.h"
#include "dtc/client_session.h"
#include "dtc/message.h"

namespace daytrader::net {

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11099;
  dtc::ClientSessionConfig session;
  bool reconnect = true;
  core::Nanoseconds initial_backoff = std::chrono::seconds(1);
  core::Nanoseconds max_backoff = std::chrono::seconds(60);
  core::Nanoseconds connect_timeout = std::chrono::seconds(10);
};

class ClientListener {
 public:
  virtual ~ClientListener() = default;
  virtual void on_logged_on(const dtc::LogonResponse& response) { (void)response; }
  virtual void on_message(const dtc::Message& message) { (void)message; }
  // The connection ended (or could not be made). `retry_in` is the back-off before the next
  // attempt when `will_reconnect`.
  virtual void on_disconnected(const dtc::CloseInfo& info, bool will_reconnect, core::Nanoseconds retry_in) {
    (void)info, (void)will_reconnect, (void)retry_in;
  }
  // A send() the session refused (not logged on, unsupported feature).
  virtual void on_send_error(const std::string& message) { (void)message; }
};

class Client {
 public:
  Client(ClientOptions options, ClientListener& listener);
  ~Client();  // stop()
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts the io thread and the first connection attempt. A session config that cannot log on
  // (dtc::validate: a password longer than the 31 bytes DTC carries, ...) makes no connection:
  // on_disconnected() reports it (kLogonRejected, no reconnect).
  void start();
  // Sends LOGOFF when logged on, closes, and joins the io thread. No reconnect after this.
  // Not from a listener callback (it joins the thread the callback runs on).
  void stop(const std::string& reason = "client stopped");

  // Sends m now if logged on (else on_send_error).
  void send(dtc::Message m);
  // Remembered and re-sent after every logon; sent now if logged on. A second subscribe with
  // the same SymbolID replaces the first.
  void subscribe(const dtc::MarketDataRequest& request);
  void unsubscribe(std::uint32_t symbol_id);

  [[nodiscard]] bool is_logged_on() const noexcept { return logged_on_.load(); }
  [[nodiscard]] std::uint64_t connects() const noexcept { return connects_.load(); }
  [[nodiscard]] std::uint64_t logons() const noexcept { return logons_.load(); }
  [[nodiscard]] std::uint64_t messages_received() const noexcept { return messages_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> logged_on_{false};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> logons_{0};
  std::atomic<std::uint64_t> messages_{0};
};

}  // namespace daytrader::net
