// net::Server's limits over 127.0.0.1 with a raw socket client (a client that misbehaves on
// purpose): a connection that never reads is closed once its queue passes the limit, a silent
// heartbeat-0 connection is closed when idle, refused logons are logged and an address that
// keeps failing is refused at accept. Every wait is bounded.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "dtc/json_codec.h"
#include "net/server.h"

namespace daytrader::testing {
namespace {

using namespace std::chrono_literals;

// Answers every application message with `reply_bytes` of USER_MESSAGE-free filler: a
// SECURITY_DEFINITION_RESPONSE-sized reply repeated, as a big request reply would be.
struct EchoApp : net::ServerApp {
  net::Server* server = nullptr;
  std::size_t replies_per_message = 0;
  void on_message(net::ConnectionId id, const dtc::Message&, core::Timestamp) override {
    dtc::Heartbeat hb;
    for (std::size_t i = 0; i < replies_per_message; ++i)
      if (auto* s = server->session(id)) (void)s->send(hb);
  }
};

struct Log {
  std::mutex mutex;
  std::vector<std::pair<net::LogLevel, std::string>> lines;
  void add(net::LogLevel level, const std::string& s) {
    std::lock_guard l(mutex);
    lines.emplace_back(level, s);
  }
  bool contains(const std::string& part) { return level_of(part).has_value(); }
  // The level of the first line containing part.
  std::optional<net::LogLevel> level_of(const std::string& part) {
    std::lock_guard l(mutex);
    for (const auto& [level, s] : lines)
      if (s.find(part) != std::string::npos) return level;
    return std::nullopt;
  }
  std::string all() {
    std::lock_guard l(mutex);
    std::string out;
    for (const auto& [level, s] : lines) out += s + "\n";
    return out;
  }
};

int connect_to(std::uint16_t port, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

template <class M>
bool send_message(int fd, const M& m) {
  std::vector<std::uint8_t> out;
  dtc::encode_into(m, out);
  return ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
}

dtc::LogonRequest logon(const std::string& password, std::int32_t heartbeat_s) {
  dtc::LogonRequest r;
  r.protocol_version = dtc::kProtocolVersion;
  r.username = "tester";
  r.password = password;
  r.heartbeat_interval_in_seconds = heartbeat_s;
  return r;
}

// Reads until EOF or error (true) or the timeout (false); the messages read go to `messages`.
bool read_until_closed(int fd, std::chrono::milliseconds timeout,
                       std::vector<dtc::Message>* messages = nullptr) {
  dtc::Decoder d;
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::vector<std::uint8_t> buf(64 * 1024);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return true;
    if (messages != nullptr) {
      d.feed(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
      while (auto m = d.next())
        if (m->has_value()) messages->push_back(m->value());
    }
  }
  return false;
}

bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

struct Harness {
  explicit Harness(net::ServerOptions o) : server(with_log(std::move(o)), app) {
    app.server = &server;
    const auto s = server.start();
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
  }
  net::ServerOptions with_log(net::ServerOptions o) {
    o.bind_address = "127.0.0.1";
    o.port = 0;
    o.log = [this](net::LogLevel level, const std::string& s) { log.add(level, s); };
    return o;
  }
  Log log;
  EchoApp app;
  net::Server server;
};

TEST(ServerLimits, AClientThatNeverReadsIsDisconnectedWhenItsQueuePassesTheLimit) {
  net::ServerOptions o;
  o.max_pending_bytes = 256 * 1024;
  Harness h(o);
  h.app.replies_per_message = 1000;  // 16 KB of replies per request
  const int fd = connect_to(h.server.port(), 4096);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_message(fd, logon("", 0)));
  dtc::SecurityDefinitionForSymbolRequest q;
  q.symbol = "ESZ25";
  // Never read: the kernel buffers fill, then the server's queue does.
  for (int i = 0; i < 2000 && h.server.limit_disconnects() == 0; ++i) {
    q.request_id = i + 1;
    if (!send_message(fd, q)) break;
    if (i % 50 == 0) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(wait_for([&] { return h.server.limit_disconnects() == 1; }));
  EXPECT_TRUE(wait_for([&] { return h.server.connection_count() == 0; }));
  EXPECT_TRUE(h.log.contains("bytes queued and not read by the client, limit 262144"));
  ::close(fd);
}

TEST(ServerLimits, ASilentConnectionWithHeartbeatZeroIsClosedWhenIdle) {
  net::ServerOptions o;
  o.idle_timeout = 300ms;
  Harness h(o);
  const int fd = connect_to(h.server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_message(fd, logon("", 0)));
  std::vector<dtc::Message> got;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(read_until_closed(fd, 5s, &got));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(std::holds_alternative<dtc::LogonResponse>(got.front()));
  EXPECT_TRUE(wait_for([&] { return h.log.contains("idle: nothing received or sent for"); }));
  EXPECT_EQ(h.server.limit_disconnects(), 1u);
  ::close(fd);
}

TEST(ServerLimits, FailedLogonsAreLoggedAndAnAddressThatKeepsFailingIsRefused) {
  net::ServerOptions o;
  o.session.password = "right";
  o.max_failed_logons = 2;
  o.failed_logon_window = 60s;
  Harness h(o);
  for (int i = 0; i < 2; ++i) {
    const int fd = connect_to(h.server.port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_message(fd, logon("wrong", 0)));
    std::vector<dtc::Message> got;
    EXPECT_TRUE(read_until_closed(fd, 5s, &got));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(std::get<dtc::LogonResponse>(got[0]).result, dtc::LogonStatus::kError);
    ::close(fd);
  }
  EXPECT_TRUE(wait_for([&] { return h.server.failed_logons() == 2; }));
  EXPECT_TRUE(
      h.log.contains("Logon rejected username=\"tester\" password=<set> (failed logon 2 from this address)"));
  // The third connection from 127.0.0.1 is closed at once, even with the right password.
  const int fd = connect_to(h.server.port());
  ASSERT_GE(fd, 0);
  (void)send_message(fd, logon("right", 0));
  std::vector<dtc::Message> got;
  EXPECT_TRUE(read_until_closed(fd, 5s, &got));
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(h.server.refused_connections(), 1u);
  EXPECT_TRUE(h.log.contains("127.0.0.1: 2 failed logons within 60 s"));
  ::close(fd);
}

TEST(ServerLimits, ARightLogonIsNotCountedAndTheLimitsCanBeTurnedOff) {
  net::ServerOptions o;
  o.max_pending_bytes = 0;
  o.idle_timeout = core::Nanoseconds::zero();
  o.max_failed_logons = 0;
  Harness h(o);
  const int fd = connect_to(h.server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_message(fd, logon("", 0)));
  EXPECT_FALSE(read_until_closed(fd, 400ms));  // no idle limit: still open
  EXPECT_EQ(h.server.failed_logons(), 0u);
  EXPECT_EQ(h.server.limit_disconnects(), 0u);
  ::close(fd);
}

bool send_bytes(int fd, const std::vector<std::uint8_t>& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// Every way a connection ends is logged with what ended it and why: no silent close.
TEST(ServerLimits, EveryCloseIsLoggedWithItsKindAndReason) {
  struct Row {
    const char* name;
    std::function<void(int fd)> script;  // what the client does; the server then closes or the client does
    std::string logged;                  // a part of the close's log line
    net::LogLevel level;
    bool client_closes = false;  // after its script, once logged on
  };
  const auto json_logon = [](int fd) {
    EXPECT_TRUE(send_bytes(fd, dtc::encode_json(dtc::Message(logon("", 0)), dtc::Encoding::kJson)));
  };
  const std::vector<Row> rows = {
      {"answered binary, then JSON",
       [](int fd) {
         EXPECT_TRUE(send_message(fd, dtc::EncodingRequest{}));
         EXPECT_TRUE(send_bytes(fd, dtc::encode_json(dtc::Message(logon("", 0)), dtc::Encoding::kJson)));
       },
       "disconnected (protocol_error): DTC framing error at stream byte 16: Size 8827",
       net::LogLevel::kWarning},
      {"malformed JSON after a JSON logon",
       [&](int fd) {
         json_logon(fd);
         EXPECT_TRUE(send_bytes(fd, {'{', '"', 'T', 'y', 'p', 'e', '"', ':', 0}));
       },
       "disconnected (protocol_error): DTC JSON message of 8 bytes is not valid JSON: syntax error",
       net::LogLevel::kWarning},
      {"a JSON field of the wrong type",
       [&](int fd) {
         json_logon(fd);
         const std::string bad = R"({"Type":101,"SymbolID":"one"})";
         std::vector<std::uint8_t> bytes(bad.begin(), bad.end());
         bytes.push_back(0);
         EXPECT_TRUE(send_bytes(fd, bytes));
       },
       "disconnected (protocol_error): DTC JSON MARKET_DATA_REQUEST (Type 101): field SymbolID: expected an "
       "integer in [0, 4294967295], was \"one\"",
       net::LogLevel::kWarning},
      {"a logoff",
       [](int fd) {
         EXPECT_TRUE(send_message(fd, logon("", 0)));
         dtc::Logoff bye;
         bye.reason = "bye";
         EXPECT_TRUE(send_message(fd, bye));
       },
       "disconnected (peer_logoff): LOGOFF from the client: bye", net::LogLevel::kInfo},
      {"the client closes its socket", [](int fd) { EXPECT_TRUE(send_message(fd, logon("", 0))); },
       "disconnected (transport): the client closed the connection", net::LogLevel::kInfo, true},
      {"a hostile binary frame",
       [](int fd) {
         EXPECT_TRUE(send_bytes(fd, {0, 0, 1, 0}));
       },
       "disconnected (protocol_error): DTC framing error at stream byte 0: Size 0", net::LogLevel::kWarning},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Harness h(net::ServerOptions{});
    const int fd = connect_to(h.server.port());
    ASSERT_GE(fd, 0);
    row.script(fd);
    if (row.client_closes) {
      EXPECT_TRUE(wait_for([&] { return h.log.contains("logged on"); })) << h.log.all();
      ::shutdown(fd, SHUT_RDWR);
    }
    EXPECT_TRUE(wait_for([&] { return h.log.contains(row.logged); })) << h.log.all();
    EXPECT_EQ(h.log.level_of(row.logged), row.level);
    EXPECT_TRUE(wait_for([&] { return h.server.connection_count() == 0; }));
    ::close(fd);
  }
}

TEST(ServerLimits, LogonsEncodingsIgnoredAndUnknownMessagesAndTheServersStopAreLogged) {
  Harness h(net::ServerOptions{});
  const int fd = connect_to(h.server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_message(fd, dtc::MarketDataRequest{}));  // before logon: ignored (§9.10)
  auto logon_json = logon("", 0);
  logon_json.client_name = "json-client";
  ASSERT_TRUE(send_bytes(fd, dtc::encode_json(dtc::Message(logon_json), dtc::Encoding::kJsonCompact)));
  // The first message was binary: the session stays binary, and the JSON logon is a mismatch.
  EXPECT_TRUE(wait_for([&] { return h.log.contains("an encoding mismatch"); })) << h.log.all();
  ::close(fd);

  const int fd2 = connect_to(h.server.port());
  ASSERT_GE(fd2, 0);
  ASSERT_TRUE(send_bytes(fd2, dtc::encode_json(dtc::Message(logon_json), dtc::Encoding::kJsonCompact)));
  ASSERT_TRUE(
      send_bytes(fd2, dtc::encode_json(dtc::Message(dtc::UnknownMessage{10100, 4}), dtc::Encoding::kJson)));
  EXPECT_TRUE(wait_for([&] {
    return h.log.contains(
        "logged on username=\"tester\" client=\"json-client\" encoding=JSON_COMPACT_ENCODING heartbeat_s=0");
  })) << h.log.all();
  EXPECT_TRUE(wait_for([&] { return h.log.contains("skipped a message of unknown type 10100"); }))
      << h.log.all();
  EXPECT_TRUE(h.log.contains("ignored MARKET_DATA_REQUEST (type 101) before logon")) << h.log.all();
  h.server.stop();
  EXPECT_TRUE(h.log.contains("disconnected (transport): the server stopped")) << h.log.all();
  ::close(fd2);
}

}  // namespace
}  // namespace daytrader::testing
