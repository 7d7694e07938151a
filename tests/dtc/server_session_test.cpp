// ServerSession, scripted with a fake clock; then a ClientSession and a ServerSession talking to
// each other through memory.

#include "dtc/server_session.h"

#include <gtest/gtest.h>

#include "session_test_support.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

using namespace testing;

ServerSessionConfig config_with_password(std::string password) {
  ServerSessionConfig c;
  c.password = std::move(password);
  return c;
}

LogonRequest logon(std::string_view password, std::int32_t interval_s = 10) {
  LogonRequest r;
  r.username = "trader";
  r.password = password;
  r.heartbeat_interval_in_seconds = interval_s;
  return r;
}

TEST(ServerSession, AnswersBinaryAcceptsTheRightPasswordAndHeartbeats) {
  RecordingServer h;
  ServerSession s(config_with_password("s3cret"), h);
  s.start(kT0);
  EncodingRequest protobuf;  // an encoding this server does not speak: binary it is (§3.4)
  protobuf.encoding = Encoding::kProtocolBuffers;
  s.on_bytes(encode(protobuf), kT0);
  EXPECT_EQ(expect_one<EncodingResponse>(take_messages(s)).encoding, Encoding::kBinary);
  EXPECT_EQ(s.encoding(), Encoding::kBinary);

  s.on_bytes(encode(logon("s3cret")), kT0 + 1s);
  const auto r = expect_one<LogonResponse>(take_messages(s));
  EXPECT_EQ(r.result, LogonStatus::kSuccess);
  EXPECT_EQ(r.server_name, "dtc-sim");
  EXPECT_EQ(r.trading_is_supported, 1);
  EXPECT_EQ(r.oco_orders_supported, 1);
  EXPECT_EQ(r.bracket_orders_supported, 1);
  EXPECT_EQ(r.historical_price_data_supported, 1);
  EXPECT_EQ(r.market_depth_is_supported, 0);
  EXPECT_EQ(h.logons, 1);
  EXPECT_EQ(s.heartbeat_interval_s(), 10);

  s.on_time(kT0 + 11s - 1ns);
  EXPECT_FALSE(s.has_output());
  s.on_time(kT0 + 11s);
  (void)expect_one<Heartbeat>(take_messages(s));

  // Application messages reach the handler; heartbeats do not.
  s.on_bytes(encode(Heartbeat{}), kT0 + 12s);
  s.on_bytes(encode(TradeAccountsRequest{}), kT0 + 12s);
  ASSERT_EQ(h.messages.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<TradeAccountsRequest>(h.messages[0]));
  EXPECT_EQ(s.heartbeats_received(), 1u);

  // Silent client: 20 s after the last message.
  s.on_time(kT0 + 32s - 1ns);
  EXPECT_TRUE(s.is_logged_on());
  s.on_time(kT0 + 32s);
  ASSERT_TRUE(s.is_closed());
  EXPECT_EQ(h.closes.at(0).kind, CloseKind::kTimeout);
}

TEST(ServerSession, RejectsAWrongPasswordWithoutEverNamingIt) {
  for (const std::string_view wrong : {"guess", ""}) {
    SCOPED_TRACE(wrong);
    RecordingServer h;
    ServerSession s(config_with_password("s3cret"), h);
    s.start(kT0);
    s.on_bytes(encode(logon(wrong)), kT0);
    const auto r = expect_one<LogonResponse>(take_messages(s));
    EXPECT_EQ(r.result, LogonStatus::kError);
    EXPECT_EQ(r.result_text, "Logon rejected: wrong username or password");
    ASSERT_TRUE(s.is_closed());
    EXPECT_EQ(h.logons, 0);
    ASSERT_EQ(h.closes.size(), 1u);
    EXPECT_EQ(h.closes[0].kind, CloseKind::kLogonRejected);
    EXPECT_EQ(h.closes[0].reason, wrong.empty() ? "Logon rejected username=\"trader\" password=<empty>"
                                                : "Logon rejected username=\"trader\" password=<set>");
    EXPECT_EQ(h.closes[0].reason.find("s3cret"), std::string::npos);
  }
}

TEST(ServerSession, AcceptsAnyCredentialsWithoutAConfiguredPassword) {
  RecordingServer h;
  ServerSession s(ServerSessionConfig{}, h);
  s.start(kT0);
  s.on_bytes(encode(logon("whatever")), kT0);
  EXPECT_EQ(expect_one<LogonResponse>(take_messages(s)).result, LogonStatus::kSuccess);
}

TEST(ServerSession, IgnoresMessagesBeforeLogonAndTimesOutAWaitingClient) {
  RecordingServer h;
  ServerSession s(ServerSessionConfig{}, h);
  s.start(kT0);
  s.on_bytes(encode(MarketDataRequest{}), kT0);
  EXPECT_FALSE(s.has_output());
  ASSERT_EQ(h.ignored.size(), 1u);
  EXPECT_TRUE(h.messages.empty());
  EXPECT_FALSE(s.send(Heartbeat{}));
  s.on_time(kT0 + 10s);
  ASSERT_TRUE(s.is_closed());
  EXPECT_EQ(h.closes.at(0).reason, "no LOGON_REQUEST within 10.0 s");
}

TEST(ServerSession, ClampsTheIntervalAndSkipsHeartbeatsWhenAskedForNone) {
  struct Row {
    std::int32_t asked;
    std::int32_t used;
  };
  for (const Row row : {Row{0, 0}, Row{-5, 0}, Row{1, 1}, Row{30, 30}, Row{600, 60}}) {
    SCOPED_TRACE(row.asked);
    RecordingServer h;
    ServerSession s(ServerSessionConfig{}, h);
    s.start(kT0);
    s.on_bytes(encode(logon("", row.asked)), kT0);
    (void)take_messages(s);
    EXPECT_EQ(s.heartbeat_interval_s(), row.used);
    s.on_time(kT0 + std::chrono::seconds(row.used > 0 ? row.used : 3600));
    EXPECT_EQ(s.is_logged_on(), true);
    EXPECT_EQ(take_messages(s).size(), row.used > 0 ? 1u : 0u);
    EXPECT_EQ(s.next_deadline() == core::Timestamp::max(), row.used == 0);
  }
}

TEST(ServerSession, AHostileFrameOrALogoffCloses) {
  {
    RecordingServer h;
    ServerSession s(ServerSessionConfig{}, h);
    s.start(kT0);
    s.on_bytes(testing::hex("02 00 01 00"), kT0);
    ASSERT_TRUE(s.is_closed());
    EXPECT_EQ(h.closes.at(0).kind, CloseKind::kProtocolError);
    EXPECT_EQ(h.closes.at(0).reason,
              "DTC framing error at stream byte 0: Size 2 (type 1 LOGON_REQUEST) is smaller than "
              "the 4-byte header; the stream cannot be re-synchronised");
  }
  {
    RecordingServer h;
    ServerSession s(ServerSessionConfig{}, h);
    s.start(kT0);
    s.on_bytes(encode(logon("")), kT0);
    Logoff bye;
    bye.reason = "done";
    s.on_bytes(encode(bye), kT0);
    EXPECT_EQ(h.closes.at(0).kind, CloseKind::kPeerLogoff);
    EXPECT_EQ(h.closes.at(0).reason, "LOGOFF from the client: done");
  }
}

// Both sessions, wired back to back: what one writes the other reads.
TEST(ServerSession, TalksToAClientSessionThroughMemory) {
  RecordingServer sh;
  RecordingClient ch;
  ServerSession server(config_with_password("pw"), sh);
  ClientSessionConfig cc;
  cc.password = "pw";
  cc.heartbeat_interval_s = 5;
  ClientSession client(cc, ch);
  core::Timestamp now = kT0;
  server.start(now);
  client.start(now);
  std::vector<std::uint8_t> buf;
  const auto pump = [&] {
    for (int i = 0; i < 10; ++i) {
      client.take_output(buf);
      server.on_bytes(buf, now);
      server.take_output(buf);
      client.on_bytes(buf, now);
    }
  };
  pump();
  ASSERT_TRUE(client.is_logged_on());
  ASSERT_TRUE(server.is_logged_on());
  for (int i = 0; i < 12; ++i) {  // a minute of heartbeats both ways keeps both alive
    now += 5s;
    client.on_time(now);
    server.on_time(now);
    pump();
  }
  EXPECT_TRUE(client.is_logged_on());
  EXPECT_TRUE(server.is_logged_on());
  EXPECT_EQ(client.heartbeats_received(), 12u);
  EXPECT_EQ(server.heartbeats_received(), 12u);
  client.logoff("bye", now);
  pump();
  EXPECT_TRUE(server.is_closed());
  EXPECT_EQ(sh.closes.at(0).kind, CloseKind::kPeerLogoff);
}

}  // namespace
}  // namespace daytrader::dtc
