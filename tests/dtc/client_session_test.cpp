// ClientSession, scripted byte by byte with a fake clock (STYLE.md: "expect a logon, feed the
// response, advance the fake clock, expect a heartbeat"), then re-run with a failure injected
// at each step.

#include "dtc/client_session.h"

#include <gtest/gtest.h>

#include "session_test_support.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

using namespace testing;

ClientSessionConfig config() {
  ClientSessionConfig c;
  c.username = "trader";
  c.password = "s3cret";
  c.client_name = "es-agent";
  c.heartbeat_interval_s = 10;
  return c;
}

std::vector<std::uint8_t> bytes_of(const auto& m) {
  return encode(m);
}

// Runs connect -> encoding -> logon; returns with the session logged on at kT0 + 1 s.
void log_on(ClientSession& s, RecordingClient& h) {
  s.start(kT0);
  (void)take_messages(s);
  s.on_bytes(bytes_of(EncodingResponse{}), kT0);
  (void)take_messages(s);
  s.on_bytes(bytes_of(ServerSessionConfig::default_logon_response()), kT0 + 1s);
  ASSERT_TRUE(s.is_logged_on());
  ASSERT_EQ(h.logons, 1);
}

TEST(ClientSession, NegotiatesEncodingLogsOnAndHeartbeatsAtTheInterval) {
  RecordingClient h;
  ClientSession s(config(), h);
  EXPECT_EQ(s.next_deadline(), core::Timestamp::max());

  s.start(kT0);
  {
    std::vector<std::uint8_t> out;
    s.take_output(out);
    EXPECT_EQ(out, testing::hex("10 00 06 00 08 00 00 00 00 00 00 00 44 54 43 00"));  // §3.2
  }
  EXPECT_EQ(s.state(), ClientState::kAwaitingEncoding);
  EXPECT_EQ(s.next_deadline(), kT0 + 10s);

  s.on_bytes(bytes_of(EncodingResponse{}), kT0 + 5ms);
  const auto logon = expect_one<LogonRequest>(take_messages(s));
  EXPECT_EQ(logon.protocol_version, 8);
  EXPECT_EQ(logon.username, "trader");
  EXPECT_EQ(logon.password, "s3cret");
  EXPECT_EQ(logon.client_name, "es-agent");
  EXPECT_EQ(logon.heartbeat_interval_in_seconds, 10);
  EXPECT_EQ(logon.integer_1, 0);
  EXPECT_EQ(s.state(), ClientState::kAwaitingLogon);

  // The response arrives in three pieces.
  const auto response = bytes_of(ServerSessionConfig::default_logon_response());
  s.on_bytes(std::span(response).first(3), kT0 + 10ms);
  s.on_bytes(std::span(response).subspan(3, 100), kT0 + 10ms);
  EXPECT_FALSE(s.is_logged_on());
  s.on_bytes(std::span(response).subspan(103), kT0 + 10ms);
  EXPECT_TRUE(s.is_logged_on());
  EXPECT_EQ(h.logons, 1);
  EXPECT_EQ(s.server().server_name, "dtc-sim");
  EXPECT_FALSE(s.has_output());

  // Nothing is due a nanosecond before the interval; a heartbeat at the interval.
  EXPECT_EQ(s.next_deadline(), kT0 + 10ms + 10s);
  s.on_time(kT0 + 10ms + 10s - 1ns);
  EXPECT_FALSE(s.has_output());
  s.on_bytes(bytes_of(Heartbeat{}), kT0 + 10s);  // the server's
  s.on_time(kT0 + 10ms + 10s);
  const auto hb = expect_one<Heartbeat>(take_messages(s));
  EXPECT_EQ(hb.current_date_time, core::to_unix_ns(kT0) / 1'000'000'000 + 10);
  s.on_time(kT0 + 10ms + 20s);
  (void)expect_one<Heartbeat>(take_messages(s));
  EXPECT_EQ(s.heartbeats_sent(), 2u);
  EXPECT_EQ(s.heartbeats_received(), 1u);
  // The server's heartbeat reaches the handler too: a replay server's carries its clock.
  ASSERT_EQ(h.messages.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(h.messages.front()));
  EXPECT_TRUE(h.closes.empty());
}

TEST(ClientSession, DetectsASilentServerAfterTheMissedHeartbeats) {
  RecordingClient h;
  ClientSession s(config(), h);
  log_on(s, h);
  // Timeout = max(2 x 10 s, 10 s) = 20 s after the last message received (the logon at +1 s).
  s.on_time(kT0 + 1s + 20s - 1ns);
  EXPECT_TRUE(s.is_logged_on());
  s.on_bytes(bytes_of(Heartbeat{}), kT0 + 15s);  // any message proves life
  s.on_time(kT0 + 1s + 20s);
  EXPECT_TRUE(s.is_logged_on());
  EXPECT_EQ(s.next_deadline(), kT0 + 31s - 1ns);  // the next own heartbeat
  s.on_time(kT0 + 35s);
  ASSERT_TRUE(s.is_closed());
  ASSERT_EQ(h.closes.size(), 1u);
  EXPECT_EQ(h.closes[0].kind, CloseKind::kTimeout);
  EXPECT_TRUE(h.closes[0].may_reconnect);
  EXPECT_EQ(h.closes[0].reason,
            "no message from the server for 20.0 s (heartbeat interval 10 s, 2 missed heartbeats "
            "allowed)");
}

TEST(ClientSession, AHostileFrameClosesWithTheDecodersReason) {
  RecordingClient h;
  ClientSession s(config(), h);
  log_on(s, h);
  s.on_bytes(bytes_of(Heartbeat{}), kT0 + 2s);
  s.on_bytes(testing::hex("ff ff 2d 01 00 00"), kT0 + 2s);  // Size 65535
  ASSERT_TRUE(s.is_closed());
  ASSERT_EQ(h.closes.size(), 1u);
  EXPECT_EQ(h.closes[0].kind, CloseKind::kProtocolError);
  EXPECT_EQ(h.closes[0].reason,
            "DTC framing error at stream byte 288: Size 65535 (type 301 ORDER_UPDATE) exceeds the "
            "4096-byte frame bound; the stream cannot be re-synchronised");
  s.on_bytes(bytes_of(Heartbeat{}), kT0 + 3s);  // ignored after close
  s.on_time(kT0 + 100s);
  EXPECT_EQ(h.closes.size(), 1u);
  EXPECT_FALSE(s.has_output());
}

TEST(ClientSession, PassesApplicationMessagesAndSendsOnlyAfterLogon) {
  RecordingClient h;
  ClientSession s(config(), h);
  MarketDataRequest subscribe;
  subscribe.symbol_id = 1;
  subscribe.symbol = "ESZ25";
  const auto early = s.send(subscribe);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message,
            "DTC client: cannot send MARKET_DATA_REQUEST while idle (only after LOGON_SUCCESS)");
  log_on(s, h);
  ASSERT_TRUE(s.send(subscribe));
  EXPECT_EQ(expect_one<MarketDataRequest>(take_messages(s)).symbol, "ESZ25");

  MarketDataUpdateTrade trade;
  trade.symbol_id = 1;
  trade.price = 5000.25;
  auto stream = bytes_of(trade);
  encode_into(UnknownMessage{10100, 12}, stream);
  s.on_bytes(stream, kT0 + 2s);
  ASSERT_EQ(h.messages.size(), 2u);
  EXPECT_EQ(std::get<MarketDataUpdateTrade>(h.messages[0]).price, 5000.25);
  EXPECT_EQ(std::get<UnknownMessage>(h.messages[1]).type, 10100);
}

TEST(ClientSession, RefusesFeaturesTheServerDoesNotSupport) {
  RecordingClient h;
  ClientSession s(config(), h);
  s.start(kT0);
  s.on_bytes(bytes_of(EncodingResponse{}), kT0);
  LogonResponse limited = ServerSessionConfig::default_logon_response();
  limited.trading_is_supported = 0;
  s.on_bytes(bytes_of(limited), kT0);
  ASSERT_TRUE(s.is_logged_on());
  const auto refused = s.send(SubmitNewSingleOrder{});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "DTC client: cannot send SUBMIT_NEW_SINGLE_ORDER: the server's LOGON_RESPONSE has "
            "TradingIsSupported = 0");
  EXPECT_TRUE(s.send(HistoricalPriceDataRequest{}));
}

struct LogonOutcome {
  LogonStatus result;
  bool may_reconnect;
};

TEST(ClientSession, ALogonRefusalClosesAndSaysWhetherToReconnect) {
  for (const LogonOutcome row :
       {LogonOutcome{LogonStatus::kError, true}, LogonOutcome{LogonStatus::kErrorNoReconnect, false},
        LogonOutcome{LogonStatus::kReconnectNewAddress, true}}) {
    SCOPED_TRACE(static_cast<int>(row.result));
    RecordingClient h;
    ClientSession s(config(), h);
    s.start(kT0);
    s.on_bytes(bytes_of(EncodingResponse{}), kT0);
    LogonResponse r;
    r.result = row.result;
    r.result_text = "bad password";
    r.reconnect_address = "10.0.0.2:11099";
    s.on_bytes(bytes_of(r), kT0);
    ASSERT_EQ(h.closes.size(), 1u);
    EXPECT_EQ(h.logons, 0);
    EXPECT_EQ(h.closes[0].kind, CloseKind::kLogonRejected);
    EXPECT_EQ(h.closes[0].may_reconnect, row.may_reconnect);
    EXPECT_NE(h.closes[0].reason.find("bad password"), std::string::npos) << h.closes[0].reason;
    EXPECT_EQ(h.closes[0].reconnect_address,
              row.result == LogonStatus::kReconnectNewAddress ? "10.0.0.2:11099" : "");
  }
}

TEST(ClientSession, AServerLogoffWithDoNotReconnectForbidsReconnecting) {
  RecordingClient h;
  ClientSession s(config(), h);
  log_on(s, h);
  Logoff bye;
  bye.reason = "account disabled";
  bye.do_not_reconnect = 1;
  s.on_bytes(bytes_of(bye), kT0 + 2s);
  ASSERT_EQ(h.closes.size(), 1u);
  EXPECT_EQ(h.closes[0].kind, CloseKind::kPeerLogoff);
  EXPECT_FALSE(h.closes[0].may_reconnect);
  EXPECT_EQ(h.closes[0].reason, "LOGOFF from the server: account disabled");
}

TEST(ClientSession, OwnLogoffSendsLogoffAndDoesNotReconnect) {
  RecordingClient h;
  ClientSession s(config(), h);
  log_on(s, h);
  s.logoff("session end", kT0 + 2s);
  EXPECT_EQ(expect_one<Logoff>(take_messages(s)).reason, "session end");
  ASSERT_EQ(h.closes.size(), 1u);
  EXPECT_EQ(h.closes[0].kind, CloseKind::kLocalLogoff);
  EXPECT_FALSE(h.closes[0].may_reconnect);
}

TEST(ClientSession, HistoricalOnlyConnectionsUseTheInactivityTimeout) {
  RecordingClient h;
  ClientSessionConfig c = config();
  c.heartbeat_interval_s = 0;
  ClientSession s(c, h);
  log_on(s, h);
  s.on_time(kT0 + 50s);
  EXPECT_FALSE(s.has_output());  // no heartbeats
  EXPECT_TRUE(s.is_logged_on());
  s.on_time(kT0 + 61s);
  ASSERT_TRUE(s.is_closed());
  EXPECT_EQ(h.closes[0].reason, "no message from the server for 60.0 s (inactivity timeout)");
}

// The script, and a failure injected before each of its steps.
enum class Failure { kNone, kSilence, kHostileFrame, kSocketClosed, kJsonEncoding };

struct FailureRow {
  int step;  // the failure replaces this step (0: encoding response, 1: logon response, 2: heartbeats)
  Failure failure;
  CloseKind expected;
  std::string reason_part;
};

TEST(ClientSession, EveryStepOfTheScriptFailsCleanly) {
  const std::vector<FailureRow> rows = {
      {0, Failure::kSilence, CloseKind::kTimeout, "no ENCODING_RESPONSE within 10.0 s"},
      {0, Failure::kHostileFrame, CloseKind::kProtocolError, "Size 0"},
      {0, Failure::kSocketClosed, CloseKind::kTransport, "connection reset"},
      {0, Failure::kJsonEncoding, CloseKind::kProtocolError, "Encoding 2 (JSON_ENCODING)"},
      {1, Failure::kSilence, CloseKind::kTimeout, "no LOGON_RESPONSE within 10.0 s"},
      {1, Failure::kHostileFrame, CloseKind::kProtocolError, "Size 0"},
      {1, Failure::kSocketClosed, CloseKind::kTransport, "connection reset"},
      {2, Failure::kSilence, CloseKind::kTimeout, "no message from the server for 20.0 s"},
      {2, Failure::kHostileFrame, CloseKind::kProtocolError, "Size 0"},
      {2, Failure::kSocketClosed, CloseKind::kTransport, "connection reset"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(::testing::Message() << "step " << row.step << " failure " << static_cast<int>(row.failure));
    RecordingClient h;
    ClientSession s(config(), h);
    core::Timestamp now = kT0;
    s.start(now);
    for (int step = 0; step < 3 && !s.is_closed(); ++step) {
      if (step == row.step) {
        switch (row.failure) {
          case Failure::kSilence:
            for (int i = 0; i < 100 && !s.is_closed(); ++i) s.on_time(now += 1s);
            break;
          case Failure::kHostileFrame:
            s.on_bytes(testing::hex("00 00 03 00"), now);
            break;
          case Failure::kSocketClosed:
            s.on_transport_closed("connection reset by peer");
            break;
          case Failure::kJsonEncoding: {
            EncodingResponse json;
            json.encoding = Encoding::kJson;
            s.on_bytes(bytes_of(json), now);
            break;
          }
          case Failure::kNone:
            break;
        }
        break;
      }
      if (step == 0) s.on_bytes(bytes_of(EncodingResponse{}), now);
      if (step == 1) s.on_bytes(bytes_of(ServerSessionConfig::default_logon_response()), now);
      if (step == 2) s.on_time(now += 10s);
    }
    ASSERT_TRUE(s.is_closed());
    ASSERT_EQ(h.closes.size(), 1u);
    EXPECT_EQ(h.closes[0].kind, row.expected);
    EXPECT_NE(h.closes[0].reason.find(row.reason_part), std::string::npos) << h.closes[0].reason;
    EXPECT_EQ(s.next_deadline(), core::Timestamp::max());
  }
}

}  // namespace
}  // namespace daytrader::dtc
