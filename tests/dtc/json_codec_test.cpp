// The JSON encodings (json_codec.h): round trips of every message type in both forms, the text
// Sierra Chart's JSON encoding uses, tolerance of older/newer peers, and errors on hostile or
// wrong text; the Decoder's JSON framing (NUL-terminated messages, bounds, encoding switches) and
// its zlib inflation (§6.7) with zip-bomb limits.

#include "dtc/json_codec.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cfloat>
#include <random>
#include <string>
#include <vector>

#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

using testing::for_each_message_type;

std::string text_of(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// Like testing::random_message, but text is UTF-8 (JSON carries text, not bytes): printable
// ASCII plus the characters JSON must escape (quote, backslash, control characters).
template <KnownMessage M>
M random_text_message(std::uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + M::kType);
  M m = testing::random_message<M>(seed);
  M::for_each_field(m, [&rng](std::string_view, std::size_t, auto& field) {
    using T = std::remove_cvref_t<decltype(field)>;
    if constexpr (wire::IsFixedString<T>::value) {
      static constexpr std::string_view kExtra = "\"\\\n\t\x01\x1f/{}[]:,";
      std::string text(rng() % (T::kCapacity + 1), ' ');
      for (char& c : text)
        c = rng() % 4 == 0 ? kExtra[rng() % kExtra.size()] : static_cast<char>(' ' + rng() % 95);
      field = text;
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(field)) field = static_cast<T>(-0.5);  // JSON has no infinities
    }
  });
  return m;
}

template <KnownMessage M>
M decode_json_one(const std::vector<std::uint8_t>& bytes) {
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.back(), 0) << "a JSON message ends with a NUL";
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size() - 1);
  auto r = decode_json(text);
  if (!r) throw std::runtime_error(r.error().message);
  if (!std::holds_alternative<M>(r.value()))
    throw std::runtime_error("decoded another type: " + std::string(message_name(message_type(r.value()))));
  return std::get<M>(r.value());
}

TEST(DtcJson, EveryMessageTypeRoundTripsInBothFormsWithRandomValues) {
  for_each_message_type([]<class M>() {
    for (const Encoding form : {Encoding::kJson, Encoding::kJsonCompact}) {
      for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        SCOPED_TRACE(::testing::Message()
                     << M::kName << " form " << static_cast<int>(form) << " seed " << seed);
        const M original = random_text_message<M>(seed);
        const auto bytes = encode_json(Message(original), form);
        EXPECT_EQ(decode_json_one<M>(bytes), original);
        // Type comes first, in both forms.
        EXPECT_EQ(text_of(bytes).rfind("{\"Type\":" + std::to_string(M::kType) + ",", 0), 0u)
            << text_of(bytes);
      }
    }
  });
}

TEST(DtcJson, EveryMessageTypeRoundTripsWithItsDefaultsAndSentinels) {
  for_each_message_type([]<class M>() {
    SCOPED_TRACE(M::kName);
    EXPECT_EQ(decode_json_one<M>(encode_json(Message(M{}), Encoding::kJson)), M{});
    EXPECT_EQ(decode_json_one<M>(encode_json(Message(M{}), Encoding::kJsonCompact)), M{});
  });
}

TEST(DtcJson, TheKeysAreTheDtcFieldNamesAndTheTextIsWhatSierraChartReads) {
  MarketDataRequest r;
  r.symbol_id = 1;
  r.symbol = "ESZ5";
  r.exchange = "CME";
  EXPECT_EQ(
      text_of(encode_json(Message(r), Encoding::kJson)),
      std::string("{\"Type\":101,\"RequestAction\":1,\"SymbolID\":1,\"Symbol\":\"ESZ5\",\"Exchange\":\"CME\","
                  "\"IntervalForSnapshotUpdatesInMilliseconds\":0}") +
          '\0');
  EXPECT_EQ(text_of(encode_json(Message(r), Encoding::kJsonCompact)),
            std::string("{\"Type\":101,\"F\":[1,1,\"ESZ5\",\"CME\",0]}") + '\0');
  Heartbeat hb;
  hb.current_date_time = 1'700'000'000;
  EXPECT_EQ(text_of(encode_json(Message(hb), Encoding::kJson)),
            std::string("{\"Type\":3,\"NumDroppedMessages\":0,\"CurrentDateTime\":1700000000}") + '\0');
  // Every field name of every message is a key, once.
  for_each_message_type([]<class M>() {
    const std::string text = text_of(encode_json(Message(M{}), Encoding::kJson));
    for (const auto& f : testing::fields_of<M>()) {
      const std::string key = "\"" + f.name + "\":";
      EXPECT_NE(text.find(key), std::string::npos) << M::kName << " lacks " << key;
      EXPECT_EQ(text.find(key), text.rfind(key)) << M::kName << " repeats " << key;
    }
  });
  // The unset double sentinel survives as a number.
  const auto snapshot =
      decode_json_one<MarketDataSnapshot>(encode_json(Message(MarketDataSnapshot{}), Encoding::kJson));
  EXPECT_EQ(snapshot.bid_price, kUnsetDouble);
}

TEST(DtcJson, MissingKeysKeepDefaultsAndUnknownKeysAreIgnoredLikeShorterAndLongerMessages) {
  auto r = decode_json(R"({"Type":101,"SymbolID":7.0,"Unknown":"x","Size":96,"Symbol":null,"F2":[1]})");
  ASSERT_TRUE(r) << r.error().message;
  const auto& m = std::get<MarketDataRequest>(r.value());
  EXPECT_EQ(m.symbol_id, 7u);
  EXPECT_EQ(m.request_action, RequestAction::kSubscribe);  // the default
  EXPECT_TRUE(m.symbol.empty());
  // Booleans for flags, compact values beyond the known fields, FLT_MAX in its shortest text.
  r = decode_json(R"({"Type":5,"DoNotReconnect":true,"Reason":"bye"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<Logoff>(r.value()).do_not_reconnect, 1);
  Encoding form = Encoding::kBinary;
  r = decode_json(R"({"Type":117,"F":[3.4028235e+38,1,5000.25,2,1700000000,9,"extra",[1]]})", &form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(form, Encoding::kJsonCompact);
  const auto& q = std::get<MarketDataUpdateBidAskCompact>(r.value());
  EXPECT_EQ(q.bid_price, FLT_MAX);
  EXPECT_EQ(q.ask_price, 5000.25F);
  EXPECT_EQ(q.symbol_id, 9u);
  // A short compact array: the rest are defaults.
  r = decode_json(R"({"Type":101,"F":[2]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<MarketDataRequest>(r.value()).request_action, RequestAction::kUnsubscribe);
  EXPECT_EQ(std::get<MarketDataRequest>(r.value()).symbol_id, 0u);
  // Unknown types are skipped like unknown binary types (§9.5), not errors.
  r = decode_json(R"({"Type":10100,"X":1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<UnknownMessage>(r.value()).type, 10100);
}

TEST(DtcJson, WrongOrHostileTextIsAnErrorNamingTheMessageFieldAndValue) {
  struct Row {
    std::string text;
    std::string expected;  // a part of the error
  };
  const std::string long_symbol(70, 'E');
  const std::vector<Row> rows = {
      {R"({"Type":101,"SymbolID":"one"})",
       "DTC JSON MARKET_DATA_REQUEST (Type 101): field SymbolID: expected an integer in [0, 4294967295], was "
       "\"one\""},
      {R"({"Type":101,"SymbolID":-1})", "field SymbolID: expected an integer in [0, 4294967295], was -1"},
      {R"({"Type":101,"SymbolID":1.5})", "field SymbolID: expected an integer in [0, 4294967295], was 1.5"},
      {R"({"Type":101,"SymbolID":4294967296})", "was 4294967296"},
      {R"({"Type":101,"RequestAction":{"a":1}})",
       "field RequestAction: expected an integer in [-2147483648, "
       "2147483647], was {\"a\":1}"},
      {R"({"Type":101,"Symbol":5})", "field Symbol: expected a string, was 5"},
      {R"({"Type":101,"Symbol":")" + long_symbol + R"("})",
       "field Symbol: text of 70 bytes is longer than the 63 a char[64] holds"},
      {R"({"Type":101,"Symbol":"a\u0000b"})", "field Symbol: text contains a NUL character"},
      {R"({"Type":107,"Price":"5000"})",
       "DTC JSON MARKET_DATA_UPDATE_TRADE (Type 107): field Price: expected a number"},
      {R"({"Type":117,"BidPrice":1e300})",
       "field BidPrice: expected a number in the range of a float, was 1e+300"},
      {R"({"Type":1,"Password":12345})", "field Password: expected a string, was <redacted>"},
      {R"({"Type":"1"})", "DTC JSON message: field Type: expected an integer in [0, 65535], was \"1\""},
      {R"({"Type":70000})", "field Type: expected an integer in [0, 65535], was 70000"},
      {R"({"Symbol":"ES"})", "has no \"Type\""},
      {R"({"Type":null})", "has no \"Type\""},
      {R"([1,2])", "is a JSON array, not an object"},
      {R"("text")", "is a JSON string, not an object"},
      {R"({"Type":1,)", "is not valid JSON: syntax error at byte"},
      {"", "is not valid JSON: syntax error at byte"},
      {"\x1c\x01\x01", "(it does not start with '{': a binary message in a JSON session?)"},
      {R"({"Type":101,"F":{"a":1}})", "field F: expected the compact form's array, was {\"a\":1}"},
      {R"({"Type":101,"F":[1,"x"]})",
       "DTC JSON MARKET_DATA_REQUEST (Type 101): field F[1] SymbolID: expected an "
       "integer"},
      {R"({"Type":101,"RequestAction":1e400})", "is not valid JSON"},
      {std::string(50, '[') + std::string(50, ']'), "nests objects or arrays deeper than 4 levels"},
      {R"({"Type":101,"Symbol":[[[[[1]]]]]})", "nests objects or arrays deeper than 4 levels"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.text);
    const auto r = decode_json(row.text);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(row.expected), std::string::npos) << r.error().message;
  }
  // A password never appears in an error, whatever is wrong around it.
  for (const std::string& text :
       {std::string(R"({"Type":1,"Password":"hunter2-is-a-long-password-of-40-chars!!"})"),
        std::string(R"({"Type":1,"Password" "hunter2"})"),
        std::string(R"({"Type":1,"Password":"hunter2" "x":1})"),
        std::string(R"({"Type":1,"Password":hunter2})")}) {
    SCOPED_TRACE(text);
    const auto r = decode_json(text);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
  }
  // Strings in the text do not count towards the nesting depth.
  EXPECT_TRUE(decode_json(R"({"Type":101,"Symbol":"[[[[[[[[[[{{{{{"})"));
}

// --- Decoder: JSON framing ------------------------------------------------------------------

std::vector<Message> json_messages() {
  MarketDataUpdateTrade trade;
  trade.symbol_id = 1;
  trade.price = 5000.25;
  trade.volume = 3;
  trade.date_time = 1'700'000'000.125;
  LogonRequest logon;
  logon.username = "trader \"quoted\"";
  logon.heartbeat_interval_in_seconds = 10;
  return {Message(logon), Message(trade), Message(Heartbeat{}), Message(OrderUpdate{}),
          Message(UnknownMessage{10100, 4})};
}

TEST(DtcJsonDecoder, FramesNulTerminatedMessagesSplitAnywhere) {
  for (const Encoding form : {Encoding::kJson, Encoding::kJsonCompact}) {
    std::vector<std::uint8_t> stream;
    for (const auto& m : json_messages()) encode_json_into(m, form, stream);
    stream.push_back(0);  // a stray empty message
    stream.push_back('\n');
    stream.push_back(0);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{100}, stream.size()}) {
      SCOPED_TRACE(::testing::Message() << "form " << static_cast<int>(form) << " chunk " << chunk);
      Decoder d;
      d.set_encoding(form);
      std::vector<Message> got;
      for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
        d.feed(std::span(stream).subspan(pos, std::min(chunk, stream.size() - pos)));
        while (auto m = d.next()) {
          ASSERT_TRUE(*m) << m->error().message;
          got.push_back(m->value());
        }
      }
      ASSERT_EQ(got.size(), json_messages().size());
      for (std::size_t i = 0; i + 1 < got.size(); ++i) EXPECT_EQ(got[i], json_messages()[i]) << i;
      EXPECT_EQ(std::get<UnknownMessage>(got.back()).type, 10100);
      EXPECT_EQ(d.stats().frames, got.size());
      EXPECT_EQ(d.stats().unknown_types, 1u);
      EXPECT_EQ(d.last_form(), form);
      EXPECT_EQ(d.buffered_bytes(), 0u);
    }
  }
}

TEST(DtcJsonDecoder, AMessageWithoutItsTerminatorWithinTheBoundIsAStickyErrorAndFreesTheBuffer) {
  Decoder d(kDefaultMaxMessageSize, 64);
  d.set_encoding(Encoding::kJson);
  const std::string open = "{\"Type\":3,\"X\":\"" + std::string(40, 'a');
  d.feed(std::span(reinterpret_cast<const std::uint8_t*>(open.data()), open.size()));
  EXPECT_FALSE(d.next());  // 55 bytes: may still be terminated
  const std::string more(20, 'a');
  d.feed(std::span(reinterpret_cast<const std::uint8_t*>(more.data()), more.size()));
  auto m = d.next();
  ASSERT_TRUE(m);
  ASSERT_FALSE(*m);
  EXPECT_EQ(
      m->error().message,
      "DTC JSON framing error at stream byte 0: 75 bytes without the NUL that ends a message, more than the "
      "64-byte message bound");
  EXPECT_TRUE(d.has_failed());
  EXPECT_EQ(d.buffered_bytes(), 0u);
  d.feed(encode_json(Message(Heartbeat{}), Encoding::kJson));
  EXPECT_EQ(d.buffered_bytes(), 0u);
  ASSERT_TRUE(d.next());
  EXPECT_FALSE(*d.next());
}

TEST(DtcJsonDecoder, AnEncodingMismatchSaysSoInTheError) {
  {  // binary in force, JSON arrives
    Decoder d;
    d.feed(encode_json(Message(LogonRequest{}), Encoding::kJson));
    auto m = d.next();
    ASSERT_TRUE(m && !*m);
    EXPECT_NE(m->error().message.find("Size 8827"), std::string::npos) << m->error().message;
    EXPECT_NE(
        m->error().message.find("the bytes look like JSON text, but the binary encoding is in force: an "
                                "encoding mismatch"),
        std::string::npos)
        << m->error().message;
  }
  {  // JSON in force, binary arrives
    Decoder d;
    d.set_encoding(Encoding::kJson);
    d.feed(
        encode(Message(LogonRequest{})));  // the variant's overload: gcc 12 warns wrongly on the inlined one
    auto m = d.next();
    ASSERT_TRUE(m && !*m);
    EXPECT_NE(m->error().message.find("a binary message in a JSON session?"), std::string::npos)
        << m->error().message;
    EXPECT_NE(m->error().message.find("(at stream byte 0)"), std::string::npos) << m->error().message;
  }
}

TEST(DtcJsonDecoder, DetectsAJsonStreamByItsFirstByteAndSwitchesMidBuffer) {
  {
    Decoder d;
    d.detect_json_at_start(true);
    d.feed(encode_json(Message(LogonRequest{}), Encoding::kJsonCompact));
    auto m = d.next();
    ASSERT_TRUE(m && *m) << m->error().message;
    EXPECT_TRUE(std::holds_alternative<LogonRequest>(m->value()));
    EXPECT_EQ(d.encoding(), Encoding::kJson);
    EXPECT_EQ(d.last_form(), Encoding::kJsonCompact);
  }
  {
    Decoder d;
    d.detect_json_at_start(true);
    d.feed(
        encode(Message(LogonRequest{})));  // the variant's overload: gcc 12 warns wrongly on the inlined one
    auto m = d.next();
    ASSERT_TRUE(m && *m);
    EXPECT_EQ(d.encoding(), Encoding::kBinary);
    EXPECT_EQ(d.last_form(), Encoding::kBinary);
  }
  {  // the binary ENCODING_REQUEST and the JSON logon in one read
    Decoder d;
    auto bytes = encode(EncodingRequest{});
    encode_json_into(Message(LogonRequest{}), Encoding::kJson, bytes);
    d.feed(bytes);
    auto first = d.next();
    ASSERT_TRUE(first && *first);
    EXPECT_TRUE(std::holds_alternative<EncodingRequest>(first->value()));
    d.set_encoding(Encoding::kJson);
    auto second = d.next();
    ASSERT_TRUE(second && *second) << second->error().message;
    EXPECT_TRUE(std::holds_alternative<LogonRequest>(second->value()));
  }
}

TEST(DtcJson, BinaryFramesTranscodeToJson) {
  std::vector<std::uint8_t> frames;
  for (const auto& m : json_messages()) encode_into(m, frames);
  std::vector<std::uint8_t> json;
  transcode_binary_frames(frames, Encoding::kJson, json);
  Decoder d;
  d.set_encoding(Encoding::kJson);
  d.feed(json);
  std::vector<Message> got;
  while (auto m = d.next()) {
    ASSERT_TRUE(*m) << m->error().message;
    got.push_back(m->value());
  }
  ASSERT_EQ(got.size(), json_messages().size());
  for (std::size_t i = 0; i + 1 < got.size(); ++i) EXPECT_EQ(got[i], json_messages()[i]);
  std::vector<std::uint8_t> same;
  transcode_binary_frames(frames, Encoding::kBinary, same);
  EXPECT_EQ(same, frames);
}

// --- Decoder: zlib (§6.7) ---------------------------------------------------------------------

std::vector<std::uint8_t> deflate_all(const std::vector<std::uint8_t>& in) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  std::vector<std::uint8_t> out(size);
  EXPECT_EQ(compress2(out.data(), &size, in.data(), static_cast<uLong>(in.size()), Z_DEFAULT_COMPRESSION),
            Z_OK);
  out.resize(size);
  return out;
}

std::vector<HistoricalPriceDataRecordResponse> some_records(std::size_t n) {
  std::vector<HistoricalPriceDataRecordResponse> out;
  for (std::size_t i = 0; i < n; ++i) {
    HistoricalPriceDataRecordResponse r;
    r.request_id = 1;
    r.start_date_time = 1'700'000'000'000'000 + static_cast<std::int64_t>(i) * 1'250;
    r.last_price = 5000.0 + 0.25 * static_cast<double>(i % 17);
    r.volume = static_cast<double>(1 + i % 5);
    r.num_trades = 1;
    r.is_final_record = i + 1 == n ? 1 : 0;
    out.push_back(r);
  }
  return out;
}

// Pulls every message; at the header that announces zlib, starts inflating (as the session does).
std::vector<Message> pull_all(Decoder& d, const InflateLimits& limits, std::string* error = nullptr) {
  std::vector<Message> got;
  while (auto m = d.next()) {
    if (!*m) {
      if (error != nullptr) *error = m->error().message;
      break;
    }
    if (const auto* h = std::get_if<HistoricalPriceDataResponseHeader>(&m->value());
        h != nullptr && h->use_zlib_compression != 0)
      d.start_inflate(limits);
    got.push_back(m->value());
  }
  return got;
}

TEST(DtcZlib, TheDecoderInflatesEverythingAfterTheHeaderAndPlainBytesAfterTheStreamsEnd) {
  const auto records = some_records(3000);
  std::vector<std::uint8_t> plain;
  for (const auto& r : records) encode_into(r, plain);
  HistoricalPriceDataResponseHeader header;
  header.request_id = 1;
  header.use_zlib_compression = 1;
  std::vector<std::uint8_t> stream = encode(header);
  const auto zipped = deflate_all(plain);
  stream.insert(stream.end(), zipped.begin(), zipped.end());
  encode_into(Heartbeat{}, stream);  // plain again after the zlib stream's end
  for (const std::size_t chunk : {std::size_t{13}, std::size_t{4096}, stream.size()}) {
    SCOPED_TRACE(chunk);
    Decoder d;
    std::vector<Message> got;
    std::string error;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      d.feed(std::span(stream).subspan(pos, std::min(chunk, stream.size() - pos)));
      auto more = pull_all(d, {}, &error);
      got.insert(got.end(), more.begin(), more.end());
      ASSERT_TRUE(error.empty()) << error;
      // Lazy: never more than one inflate chunk (64 KiB) beyond the compressed input buffered.
      EXPECT_LE(d.buffered_bytes(), zipped.size() + 64 * 1024 + 100);
    }
    ASSERT_EQ(got.size(), records.size() + 2);
    for (std::size_t i = 0; i < records.size(); ++i)
      ASSERT_EQ(std::get<HistoricalPriceDataRecordResponse>(got[i + 1]), records[i]) << i;
    EXPECT_TRUE(std::holds_alternative<Heartbeat>(got.back()));
    EXPECT_FALSE(d.is_inflating());
    EXPECT_EQ(d.stats().inflated_bytes, plain.size());
  }
}

TEST(DtcZlib, CorruptDataAndZipBombsAreClearErrors) {
  HistoricalPriceDataResponseHeader header;
  header.use_zlib_compression = 1;
  {  // not zlib at all
    Decoder d;
    auto stream = encode(header);
    const std::vector<std::uint8_t> junk(200, 0xAB);
    stream.insert(stream.end(), junk.begin(), junk.end());
    d.feed(stream);
    std::string error;
    (void)pull_all(d, {}, &error);
    EXPECT_NE(error.find("DTC zlib: inflate failed after"), std::string::npos) << error;
    EXPECT_EQ(d.buffered_bytes(), 0u);
  }
  // Identical records compress about 1000 : 1.
  std::vector<std::uint8_t> plain;
  HistoricalPriceDataRecordResponse same = some_records(1)[0];
  same.is_final_record = 0;
  for (int i = 0; i < 60'000; ++i) encode_into(same, plain);
  const auto bomb = deflate_all(plain);
  ASSERT_LT(bomb.size() * 200, plain.size());
  {
    Decoder d;
    auto stream = encode(header);
    stream.insert(stream.end(), bomb.begin(), bomb.end());
    d.feed(stream);
    std::string error;
    const auto got = pull_all(d, {}, &error);
    EXPECT_NE(error.find("a ratio above the 200 : 1 limit; refusing it as a zip bomb"), std::string::npos)
        << error;
    EXPECT_LT(got.size(), 60'000u);
  }
  {
    Decoder d;
    auto stream = encode(header);
    stream.insert(stream.end(), bomb.begin(), bomb.end());
    d.feed(stream);
    InflateLimits small;
    small.max_inflated_bytes = 100'000;
    small.max_ratio = 1e9;
    std::string error;
    (void)pull_all(d, small, &error);
    EXPECT_NE(error.find("inflated to more than 100000 bytes, the limit"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace daytrader::dtc
