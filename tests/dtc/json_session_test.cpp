// The sessions in the JSON encodings: the server answers an ENCODING_REQUEST for JSON with JSON
// and speaks it both ways, accepts a JSON LOGON_REQUEST without one, re-encodes the binary frames
// an application gives it, and closes with a clear reason on an encoding mismatch or bad text; the
// client asks for JSON, follows the server's answer, inflates zlib history in binary, and refuses
// credentials DTC cannot carry before sending anything.

#include <gtest/gtest.h>
#include <zlib.h>

#include "dtc/client_session.h"
#include "dtc/handshake.h"
#include "dtc/json_codec.h"
#include "dtc/server_session.h"
#include "session_test_support.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

using namespace testing;

std::vector<Message> decode_all_in(Encoding encoding, const std::vector<std::uint8_t>& bytes) {
  Decoder d;
  d.set_encoding(encoding);
  d.feed(bytes);
  std::vector<Message> out;
  while (auto m = d.next()) {
    EXPECT_TRUE(*m) << m->error().message;
    if (!*m) break;
    out.push_back(m->value());
  }
  EXPECT_EQ(d.buffered_bytes(), 0u) << "a partial message was written";
  return out;
}

std::vector<std::uint8_t> json(const Message& m, Encoding form = Encoding::kJson) {
  return encode_json(m, form);
}

LogonRequest logon(std::string_view password = "", std::int32_t interval_s = 10) {
  LogonRequest r;
  r.username = "trader";
  r.password = password;
  r.heartbeat_interval_in_seconds = interval_s;
  return r;
}

std::string text_of(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(JsonServerSession, AnswersAJsonEncodingRequestWithJsonAndSpeaksItBothWays) {
  for (const Encoding form : {Encoding::kJson, Encoding::kJsonCompact}) {
    SCOPED_TRACE(static_cast<int>(form));
    RecordingServer h;
    ServerSessionConfig config;
    config.password = "pw";
    ServerSession s(config, h);
    s.start(kT0);
    // The request is binary, and the client's JSON logon may follow in the same read.
    auto bytes = encode(make_encoding_request(form));
    encode_json_into(Message(logon("pw")), form, bytes);
    s.on_bytes(bytes, kT0);
    std::vector<std::uint8_t> out;
    s.take_output(out);
    ASSERT_GE(out.size(), 16u);
    const auto response = decode_as<EncodingResponse>(std::span(out).first(16));  // binary (§3.4)
    EXPECT_EQ(response.encoding, form);
    EXPECT_EQ(s.encoding(), form);
    const auto rest = decode_all_in(form, std::vector<std::uint8_t>(out.begin() + 16, out.end()));
    EXPECT_EQ(expect_one<LogonResponse>(rest).result, LogonStatus::kSuccess);
    EXPECT_EQ(
        text_of(std::vector<std::uint8_t>(out.begin() + 16, out.end()))
            .rfind(form == Encoding::kJson ? "{\"Type\":2,\"ProtocolVersion\":8," : "{\"Type\":2,\"F\":[8,1,",
                   0),
        0u);
    ASSERT_EQ(h.logons, 1);

    // Application messages in JSON reach the handler; heartbeats keep the session alive.
    s.on_bytes(json(Message(Heartbeat{}), form), kT0 + 1s);
    MarketDataRequest sub;
    sub.symbol_id = 4;
    sub.symbol = "ESZ25";
    s.on_bytes(json(Message(sub), form), kT0 + 1s);
    ASSERT_EQ(h.messages.size(), 1u);
    EXPECT_EQ(std::get<MarketDataRequest>(h.messages[0]), sub);
    EXPECT_EQ(s.heartbeats_received(), 1u);

    // What the session sends is JSON: its heartbeats, send(), and the binary frames the
    // application hands over.
    s.on_time(kT0 + 10s);
    ASSERT_TRUE(s.send(MarketDataSnapshot{}));
    std::vector<std::uint8_t> frames;
    MarketDataUpdateTrade trade;
    trade.symbol_id = 4;
    trade.price = 5000.25;
    encode_into(trade, frames);
    encode_into(Message(OrderUpdate{}), frames);
    ASSERT_TRUE(s.send_encoded(frames));
    s.take_output(out);
    const auto msgs = decode_all_in(form, out);
    ASSERT_EQ(msgs.size(), 4u);
    EXPECT_TRUE(std::holds_alternative<Heartbeat>(msgs[0]));
    EXPECT_TRUE(std::holds_alternative<MarketDataSnapshot>(msgs[1]));
    EXPECT_EQ(std::get<MarketDataUpdateTrade>(msgs[2]), trade);
    EXPECT_EQ(std::get<OrderUpdate>(msgs[3]), OrderUpdate{});

    Logoff bye;
    bye.reason = "done";
    s.on_bytes(json(Message(bye), form), kT0 + 2s);
    ASSERT_TRUE(s.is_closed());
    EXPECT_EQ(h.closes.at(0).reason, "LOGOFF from the client: done");
  }
}

TEST(JsonServerSession, AcceptsAJsonLogonWithoutAnEncodingRequestAndAnswersInItsForm) {
  for (const Encoding form : {Encoding::kJson, Encoding::kJsonCompact}) {
    SCOPED_TRACE(static_cast<int>(form));
    RecordingServer h;
    ServerSession s(ServerSessionConfig{}, h);
    s.start(kT0);
    const auto bytes = json(Message(logon()), form);
    s.on_bytes(std::span(bytes).first(1), kT0);  // '{' alone: detected, waits for the rest
    s.on_bytes(std::span(bytes).subspan(1), kT0);
    std::vector<std::uint8_t> out;
    s.take_output(out);
    EXPECT_EQ(expect_one<LogonResponse>(decode_all_in(form, out)).result, LogonStatus::kSuccess);
    EXPECT_EQ(s.encoding(), form);
    EXPECT_EQ(text_of(out).find(form == Encoding::kJsonCompact ? "\"F\":[" : "\"ProtocolVersion\":"), 10u);
  }
}

TEST(JsonServerSession, ABinaryOnlyServerAnswersBinaryAndAJsonLogonIsAClearProtocolError) {
  RecordingServer h;
  ServerSessionConfig config;
  config.allow_json = false;
  {
    ServerSession s(config, h);
    s.start(kT0);
    s.on_bytes(encode(make_encoding_request(Encoding::kJson)), kT0);
    EXPECT_EQ(expect_one<EncodingResponse>(take_messages(s)).encoding, Encoding::kBinary);
    EXPECT_EQ(s.encoding(), Encoding::kBinary);
  }
  ServerSession s(config, h);
  s.start(kT0);
  s.on_bytes(json(Message(logon())), kT0);
  ASSERT_TRUE(s.is_closed());
  EXPECT_EQ(h.closes.at(0).kind, CloseKind::kProtocolError);
  EXPECT_NE(h.closes.at(0).reason.find("an encoding mismatch"), std::string::npos) << h.closes.at(0).reason;
}

TEST(JsonServerSession, AClientThatWasAnsweredBinaryAndSendsJsonIsClosedWithTheMismatch) {
  RecordingServer h;
  ServerSession s(ServerSessionConfig{}, h);
  s.start(kT0);
  s.on_bytes(encode(make_encoding_request(Encoding::kBinary)), kT0);
  (void)take_messages(s);
  s.on_bytes(json(Message(logon())), kT0);
  ASSERT_TRUE(s.is_closed());
  EXPECT_EQ(h.closes.at(0).kind, CloseKind::kProtocolError);
  EXPECT_NE(h.closes.at(0).reason.find("Size 8827"), std::string::npos) << h.closes.at(0).reason;
  EXPECT_NE(h.closes.at(0).reason.find("the bytes look like JSON text, but the binary encoding is in force"),
            std::string::npos);
}

TEST(JsonServerSession, BadJsonAfterLogonClosesWithTheDecodersReason) {
  struct Row {
    std::string text;
    std::string reason_part;
  };
  const std::vector<Row> rows = {
      {R"({"Type":101,"SymbolID":"x"})", "field SymbolID: expected an integer"},
      {R"({"Type":101,)", "is not valid JSON"},
      {std::string(20, '{'), "deeper than 4 levels"},
      {std::string(kDefaultMaxJsonMessageSize + 10, ' '), "without the NUL that ends a message"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.reason_part);
    RecordingServer h;
    ServerSession s(ServerSessionConfig{}, h);
    s.start(kT0);
    s.on_bytes(json(Message(logon())), kT0);
    ASSERT_TRUE(s.is_logged_on());
    std::vector<std::uint8_t> bytes(row.text.begin(), row.text.end());
    if (row.text.size() < kDefaultMaxJsonMessageSize) bytes.push_back(0);
    s.on_bytes(bytes, kT0);
    ASSERT_TRUE(s.is_closed());
    EXPECT_EQ(h.closes.at(0).kind, CloseKind::kProtocolError);
    EXPECT_NE(h.closes.at(0).reason.find(row.reason_part), std::string::npos) << h.closes.at(0).reason;
  }
}

// Both sessions back to back, in every encoding the client can ask for, negotiated or not.
TEST(JsonSessions, AClientAndAServerTalkJsonThroughMemory) {
  struct Row {
    Encoding asked;
    bool negotiate;
    bool server_allows_json;
    Encoding spoken;
  };
  const std::vector<Row> rows = {
      {Encoding::kJson, true, true, Encoding::kJson},
      {Encoding::kJsonCompact, true, true, Encoding::kJsonCompact},
      {Encoding::kJson, false, true, Encoding::kJson},
      {Encoding::kJsonCompact, false, true, Encoding::kJsonCompact},
      {Encoding::kJson, true, false, Encoding::kBinary},  // the server said binary: the client follows
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << static_cast<int>(row.asked) << " negotiate " << row.negotiate);
    RecordingServer sh;
    RecordingClient ch;
    ServerSessionConfig sc;
    sc.password = "pw";
    sc.allow_json = row.server_allows_json;
    ServerSession server(sc, sh);
    ClientSessionConfig cc;
    cc.password = "pw";
    cc.heartbeat_interval_s = 5;
    cc.encoding = row.asked;
    cc.negotiate_encoding = row.negotiate;
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
    ASSERT_TRUE(client.is_logged_on()) << (ch.closes.empty() ? "" : ch.closes[0].reason);
    ASSERT_TRUE(server.is_logged_on());
    EXPECT_EQ(client.encoding(), row.spoken);
    EXPECT_EQ(server.encoding(), row.spoken);
    for (int i = 0; i < 4; ++i) {
      now += 5s;
      client.on_time(now);
      server.on_time(now);
      pump();
    }
    EXPECT_EQ(client.heartbeats_received(), 4u);
    EXPECT_EQ(server.heartbeats_received(), 4u);
    MarketDataRequest sub;
    sub.symbol_id = 1;
    sub.symbol = "ESZ25";
    ASSERT_TRUE(client.send(sub));
    pump();
    ASSERT_EQ(sh.messages.size(), 1u);
    EXPECT_EQ(std::get<MarketDataRequest>(sh.messages[0]), sub);
    MarketDataUpdateTrade trade;
    trade.symbol_id = 1;
    trade.price = 5001.75;
    trade.date_time = 1'700'000'000.5;
    std::vector<std::uint8_t> frame;
    encode_into(trade, frame);
    ASSERT_TRUE(server.send_encoded(frame));
    pump();
    ASSERT_FALSE(ch.messages.empty());
    EXPECT_EQ(std::get<MarketDataUpdateTrade>(ch.messages.back()), trade);
    client.logoff("bye", now);
    pump();
    EXPECT_TRUE(server.is_closed());
    EXPECT_EQ(sh.closes.at(0).kind, CloseKind::kPeerLogoff);
  }
}

// --- zlib history on the client (§6.7) ----------------------------------------------------------

std::vector<std::uint8_t> deflate_all(const std::vector<std::uint8_t>& in) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  std::vector<std::uint8_t> out(size);
  EXPECT_EQ(compress2(out.data(), &size, in.data(), static_cast<uLong>(in.size()), Z_DEFAULT_COMPRESSION),
            Z_OK);
  out.resize(size);
  return out;
}

ClientSessionConfig history_config(Encoding encoding = Encoding::kBinary) {
  ClientSessionConfig c;
  c.heartbeat_interval_s = 0;
  c.encoding = encoding;
  c.negotiate_encoding = false;
  return c;
}

TEST(ClientSessionZlib, InflatesTheRecordsAfterACompressedHeader) {
  RecordingClient h;
  ClientSession s(history_config(), h);
  s.start(kT0);
  s.on_bytes(encode(ServerSessionConfig::default_logon_response()), kT0);
  ASSERT_TRUE(s.is_logged_on());
  std::vector<std::uint8_t> plain;
  std::vector<HistoricalPriceDataRecordResponse> records;
  for (int i = 0; i < 500; ++i) {
    HistoricalPriceDataRecordResponse r;
    r.request_id = 3;
    r.start_date_time = 1'700'000'000'000'000 + i;
    r.last_price = 5000 + 0.25 * (i % 9);
    r.is_final_record = i == 499 ? 1 : 0;
    records.push_back(r);
    encode_into(r, plain);
  }
  HistoricalPriceDataResponseHeader header;
  header.request_id = 3;
  header.use_zlib_compression = 1;
  auto stream = encode(header);
  const auto zipped = deflate_all(plain);
  stream.insert(stream.end(), zipped.begin(), zipped.end());
  for (std::size_t pos = 0; pos < stream.size(); pos += 100)
    s.on_bytes(std::span(stream).subspan(pos, std::min<std::size_t>(100, stream.size() - pos)), kT0);
  ASSERT_EQ(h.messages.size(), records.size() + 1);
  EXPECT_EQ(std::get<HistoricalPriceDataResponseHeader>(h.messages[0]).use_zlib_compression, 1);
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(std::get<HistoricalPriceDataRecordResponse>(h.messages[i + 1]), records[i]);
  EXPECT_TRUE(s.is_logged_on());
  EXPECT_EQ(s.decoder_stats().inflated_bytes, plain.size());
}

TEST(ClientSessionZlib, ACompressedHeaderInAJsonSessionIsAProtocolError) {
  RecordingClient h;
  ClientSession s(history_config(Encoding::kJson), h);
  s.start(kT0);
  std::vector<std::uint8_t> sent;
  s.take_output(sent);
  (void)expect_one<LogonRequest>(decode_all_in(Encoding::kJson, sent));  // the logon went out in JSON
  s.on_bytes(json(Message(ServerSessionConfig::default_logon_response())), kT0);
  ASSERT_TRUE(s.is_logged_on());
  HistoricalPriceDataResponseHeader header;
  header.request_id = 9;
  header.use_zlib_compression = 1;
  s.on_bytes(json(Message(header)), kT0);
  ASSERT_TRUE(s.is_closed());
  EXPECT_EQ(h.closes.at(0).kind, CloseKind::kProtocolError);
  EXPECT_EQ(
      h.closes.at(0).reason,
      "HISTORICAL_PRICE_DATA_RESPONSE_HEADER RequestID 9 announces zlib compression, which this client reads "
      "in the binary encoding only (JSON_ENCODING is in force)");
}

// --- credentials that DTC cannot carry ---------------------------------------------------------

TEST(ClientSessionCredentials, APasswordLongerThanTheFieldIsRefusedBeforeAnythingIsSent) {
  struct Row {
    std::size_t password, username;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {32, 6,
       "DTC client: the password is 32 bytes, but the LOGON_REQUEST Password field holds at most 31 "
       "(char[32] "
       "with its NUL): it would be cut, so the server could never accept it"},
      {80, 6, "the password is 80 bytes"},
      {8, 40, "the username is 40 bytes, but the LOGON_REQUEST Username field holds at most 31"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.expected);
    ClientSessionConfig c;
    c.password = std::string(row.password, 'p');
    c.username = std::string(row.username, 'u');
    const auto v = validate(c);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find(row.expected), std::string::npos) << v.error().message;
    EXPECT_EQ(v.error().message.find("ppp"), std::string::npos) << "never the password";
    RecordingClient h;
    ClientSession s(c, h);
    s.start(kT0);
    EXPECT_FALSE(s.has_output());  // not even the ENCODING_REQUEST
    ASSERT_TRUE(s.is_closed());
    EXPECT_EQ(h.closes.at(0).kind, CloseKind::kLogonRejected);
    EXPECT_FALSE(h.closes.at(0).may_reconnect);
  }
  ClientSessionConfig fits;
  fits.password = std::string(31, 'p');
  fits.username = std::string(31, 'u');
  EXPECT_TRUE(validate(fits));
}

}  // namespace
}  // namespace daytrader::dtc
