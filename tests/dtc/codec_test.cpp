// Encoding and decoding of single messages: round trips of every type, golden bytes written by
// hand from the spec's tables, field isolation, text fields, enums and sentinels.

#include "dtc/codec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dtc/message.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

using testing::for_each_message_type;
using testing::hex;

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (const std::uint8_t b : bytes) out += fmt::format("{:02x} ", b);
  return out;
}

TEST(DtcCodec, EveryMessageTypeRoundTripsWithRandomFieldValues) {
  for_each_message_type([]<class M>() {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE(::testing::Message() << M::kName << " seed " << seed);
      const M original = testing::random_message<M>(seed);
      const std::vector<std::uint8_t> bytes = encode(original);

      ASSERT_EQ(bytes.size(), M::kSize);
      EXPECT_EQ(wire::load_u16(bytes.data()), M::kSize);
      EXPECT_EQ(wire::load_u16(bytes.data() + 2), M::kType);
      EXPECT_EQ(testing::decode_one<M>(bytes), original);
    }
  });
}

TEST(DtcCodec, EveryMessageTypeRoundTripsWithDefaults) {
  for_each_message_type([]<class M>() {
    SCOPED_TRACE(M::kName);
    EXPECT_EQ(testing::decode_one<M>(encode(M{})), M{});
  });
}

TEST(DtcCodec, EncodingTheVariantMatchesEncodingTheStruct) {
  for_each_message_type([]<class M>() {
    SCOPED_TRACE(M::kName);
    const M m = testing::random_message<M>(7);
    EXPECT_EQ(encode(Message(m)), encode(m));
    EXPECT_EQ(message_type(Message(m)), M::kType);
  });
}

// Each field, set alone, is read from and written to its own bytes only: the image of a default
// message with one field's bytes replaced decodes and re-encodes to exactly that image, and the
// decoded message differs from the default in that field alone. Catches a codec that reads or
// writes a field at another place or width, even where the tables agree.
TEST(DtcCodec, EveryFieldIsReadAndWrittenAtItsOwnBytesOnly) {
  for_each_message_type([]<class M>() {
    const M donor = testing::random_message<M>(99);
    const auto fields = testing::fields_of<M>();
    for (std::size_t k = 0; k < fields.size(); ++k) {
      SCOPED_TRACE(::testing::Message() << M::kName << "." << fields[k].name);
      const std::vector<std::uint8_t> image =
          testing::splice_fields(donor, [k](std::size_t i, const auto&) { return i == k; });
      const M only_k = decode_as<M>(image);
      EXPECT_EQ(encode(only_k), image);
      // Every other field still encodes as its default.
      const std::vector<std::uint8_t> others_from_only_k =
          testing::splice_fields(only_k, [k](std::size_t i, const auto&) { return i != k; });
      EXPECT_EQ(others_from_only_k, encode(M{}));
    }
  });
}

TEST(DtcCodec, PaddingAndBytesAfterTheTextAreZero) {
  for_each_message_type([]<class M>() {
    SCOPED_TRACE(M::kName);
    const std::vector<std::uint8_t> bytes = encode(testing::random_message<M>(3));
    std::vector<bool> covered(bytes.size(), false);
    for (std::size_t i = 0; i < kHeaderSize; ++i) covered[i] = true;
    for (const auto& f : testing::fields_of<M>()) {
      for (std::size_t i = f.offset; i < f.offset + f.width; ++i) covered[i] = true;
      if (f.wire_type.starts_with("char[")) {
        std::size_t i = f.offset;
        while (i < f.offset + f.width && bytes[i] != 0) ++i;
        ASSERT_LT(i, f.offset + f.width) << f.name << " is not terminated";
        for (; i < f.offset + f.width; ++i) EXPECT_EQ(bytes[i], 0) << f.name << " byte " << i;
      }
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (!covered[i]) {
        EXPECT_EQ(bytes[i], 0) << "padding byte " << i;
      }
    }
  });
}

// Golden bytes, written by hand from the spec's field tables (little-endian, offsets as listed).
struct GoldenCase {
  const char* name;
  Message message;
  const char* bytes;
};

std::vector<GoldenCase> golden_cases() {
  std::vector<GoldenCase> cases;
  // §3.2 gives this exact byte image for the default request.
  cases.push_back({"ENCODING_REQUEST default", EncodingRequest{},
                   "10 00 06 00  08 00 00 00  00 00 00 00  44 54 43 00"});

  Heartbeat heartbeat;
  heartbeat.num_dropped_messages = 3;
  heartbeat.current_date_time = 1700000000;
  cases.push_back({"HEARTBEAT", heartbeat, "10 00 03 00  03 00 00 00  00 f1 53 65 00 00 00 00"});

  // The worked example of §2.3: 6 padding bytes after AtBidOrAsk, Price at 16.
  MarketDataUpdateTrade trade;
  trade.symbol_id = 1;
  trade.at_bid_or_ask = AtBidOrAsk::kAtAsk;
  trade.price = 5000.25;
  trade.volume = 3;
  trade.date_time = 1700000000.25;
  cases.push_back({"MARKET_DATA_UPDATE_TRADE", trade,
                   "28 00 6b 00  01 00 00 00  02 00  00*6"
                   "  00 00 00 00 40 88 b3 40"     // Price 5000.25
                   "  00 00 00 00 00 00 08 40"     // Volume 3
                   "  00 00 10 40 fc 54 d9 41"});  // DateTime 1700000000.25

  // Packed: 19 bytes, no padding, the float price right after SymbolID.
  MarketDataUpdateTradeNoTimestamp packed;
  packed.symbol_id = 1;
  packed.price = 5000.25F;
  packed.volume = 2;
  packed.at_bid_or_ask = AtBidOrAsk8::kAtBid;
  packed.unbundled_trade_indicator = UnbundledTradeIndicator::kFirstSubTradeOfUnbundledTrade;
  packed.trade_condition = TradeCondition::kOddLotEquityTrade;
  cases.push_back({"MARKET_DATA_UPDATE_TRADE_NO_TIMESTAMP", packed,
                   "13 00 8e 00  01 00 00 00  00 42 9c 45  02 00 00 00  01 01 02"});

  Logoff logoff;
  logoff.reason = "bye";
  logoff.do_not_reconnect = 1;
  cases.push_back({"LOGOFF", logoff, "66 00 05 00  62 79 65 00*93  01 00"});

  CancelOrder cancel;
  cancel.server_order_id = "S1";
  cancel.client_order_id = "C1";
  cancel.trade_account = "ACC";
  cases.push_back(
      {"CANCEL_ORDER", cancel, "64 00 cb 00  53 31 00*30  43 31 00*30  41 43 43 00*29"});

  HistoricalPriceDataResponseHeader header;
  header.request_id = 7;
  header.record_interval = HistoricalDataInterval::k1Minute;
  header.use_zlib_compression = 1;
  cases.push_back({"HISTORICAL_PRICE_DATA_RESPONSE_HEADER", header,
                   "14 00 21 03  07 00 00 00  3c 00 00 00  01 00 00 00  00 00 00 00"});

  // Unset sentinels of §2.7: DBL_MAX ff..ef 7f and UINT_MAX ff ff ff ff.
  MarketDataSnapshot snapshot;
  snapshot.symbol_id = 2;
  snapshot.trading_status = TradingStatus::kOpen;
  cases.push_back({"MARKET_DATA_SNAPSHOT default prices", snapshot,
                   "90 00 68 00  02 00 00 00"
                   "  ff ff ff ff ff ff ef 7f  ff ff ff ff ff ff ef 7f"   // settlement, open
                   "  ff ff ff ff ff ff ef 7f  ff ff ff ff ff ff ef 7f"   // high, low
                   "  ff ff ff ff ff ff ef 7f  ff ff ff ff  ff ff ff ff"  // volume, trades, OI
                   "  ff ff ff ff ff ff ef 7f  ff ff ff ff ff ff ef 7f"   // bid, ask
                   "  ff ff ff ff ff ff ef 7f  ff ff ff ff ff ff ef 7f"   // ask qty, bid qty
                   "  ff ff ff ff ff ff ef 7f  ff ff ff ff ff ff ef 7f"   // last price, volume
                   "  00*8  00*8  00*4  00*4"                             // times, dates
                   "  02 00*7  00*8"});                                   // status, depth time

  UnknownMessage unknown{10100, 6};
  cases.push_back({"UnknownMessage", unknown, "06 00 74 27 00 00"});
  return cases;
}

TEST(DtcCodec, EncodesGoldenBytesFromTheSpecLayout) {
  for (const GoldenCase& c : golden_cases()) {
    SCOPED_TRACE(c.name);
    const std::vector<std::uint8_t> expected = hex(c.bytes);
    const std::vector<std::uint8_t> actual = encode(c.message);
    EXPECT_EQ(actual, expected) << "actual:   " << to_hex(actual)
                                << "\nexpected: " << to_hex(expected);
  }
}

TEST(DtcCodec, DecodesGoldenBytesToTheMessage) {
  for (const GoldenCase& c : golden_cases()) {
    SCOPED_TRACE(c.name);
    const auto decoded = decode(hex(c.bytes));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded.value(), c.message);
  }
}

TEST(DtcCodec, TextLongerThanTheFieldIsCutAndStaysTerminated) {
  EncodingRequest request;
  EXPECT_FALSE(request.protocol_type.assign("DTCX"));
  EXPECT_EQ(request.protocol_type, "DTC");
  const std::vector<std::uint8_t> bytes = encode(request);
  EXPECT_EQ(bytes[15], 0);

  EXPECT_TRUE(FixedString<4>::fits("abc"));
  EXPECT_FALSE(FixedString<4>::fits("abcd"));
  EXPECT_FALSE(FixedString<4>::fits(std::string_view("a\0b", 3)));
}

TEST(DtcCodec, DecodingTextNeverTrustsTheSendersTerminator) {
  // ProtocolType filled with 4 non-NUL bytes: only N-1 are read (§2.6).
  const EncodingRequest unterminated = testing::decode_one<EncodingRequest>(
      hex("10 00 06 00  08 00 00 00  00 00 00 00  41 42 43 44"));
  EXPECT_EQ(unterminated.protocol_type, "ABC");

  // Bytes after the first NUL are ignored, and do not survive a re-encode.
  const EncodingRequest garbage_after_nul = testing::decode_one<EncodingRequest>(
      hex("10 00 06 00  08 00 00 00  00 00 00 00  41 00 43 44"));
  EXPECT_EQ(garbage_after_nul.protocol_type, "A");
  EXPECT_EQ(encode(garbage_after_nul), hex("10 00 06 00  08 00 00 00  00 00 00 00  41 00 00 00"));
}

TEST(DtcCodec, EnumValuesOutsideTheSpecSurviveAndAreReportedUnknown) {
  OrderUpdate update;
  update.order_status = static_cast<OrderStatus>(42);
  update.buy_sell = static_cast<BuySell>(-1);
  const OrderUpdate decoded = testing::decode_one<OrderUpdate>(encode(update));
  EXPECT_EQ(decoded.order_status, static_cast<OrderStatus>(42));
  EXPECT_EQ(decoded.buy_sell, static_cast<BuySell>(-1));
  EXPECT_FALSE(is_known(decoded.order_status));
  EXPECT_FALSE(is_known(decoded.buy_sell));
  EXPECT_TRUE(is_known(OrderStatus::kPartiallyFilled));
  EXPECT_TRUE(is_known(HistoricalDataInterval::k1Week));
  EXPECT_FALSE(is_known(static_cast<HistoricalDataInterval>(61)));
}

TEST(DtcCodec, DefaultsAreTheSpecDefaults) {
  EXPECT_EQ(LogonRequest{}.protocol_version, 8);
  EXPECT_EQ(LogonResponse{}.result, LogonStatus::kSuccess);
  EXPECT_EQ(LogonResponse{}.order_cancel_replace_supported, 1);
  EXPECT_EQ(LogonResponse{}.market_depth_is_supported, 1);
  EXPECT_EQ(LogonResponse{}.market_data_supported, 1);
  EXPECT_EQ(LogonResponse{}.trading_is_supported, 0);
  EXPECT_EQ(UserMessage{}.is_popup_message, 1);
  EXPECT_EQ(MarketDataRequest{}.request_action, RequestAction::kSubscribe);
  EXPECT_EQ(OpenOrdersRequest{}.request_all_orders, 1);
  EXPECT_EQ(CancelReplaceOrder{}.price1_is_set, 1);
  EXPECT_EQ(CancelReplaceOrder{}.price2_is_set, 1);
  EXPECT_EQ(OrderUpdate{}.price1, kUnsetDouble);
  EXPECT_EQ(OrderUpdate{}.last_fill_quantity, kUnsetDouble);
  EXPECT_EQ(MarketDataSnapshot{}.session_num_trades, kUnsetUint32);
  EXPECT_EQ(MarketDataUpdateBidAskCompact{}.bid_price, kUnsetFloat);
  EXPECT_EQ(HistoricalOrderFillResponse{}.position_quantity, kUnsetDouble);
  EXPECT_EQ(SecurityDefinitionResponse{}.price_display_format, -1);
  EXPECT_EQ(SecurityDefinitionResponse{}.display_price_multiplier, 1.0F);
  EXPECT_EQ(SecurityDefinitionResponse{}.has_market_depth_data, 1);
}

TEST(DtcCodec, TheUnionOfARecordResponseReadsAsBothNames) {
  HistoricalPriceDataRecordResponse record;
  record.num_trades = 17;
  EXPECT_EQ(record.open_interest(), 17U);
}

struct DecodeErrorCase {
  const char* name;
  const char* bytes;
  std::size_t bound;
  const char* expected_error;
};

TEST(DtcCodec, DecodeRejectsBytesThatAreNotOneWholeFrame) {
  const DecodeErrorCase cases[] = {
      {"fewer than 4 bytes", "10 00 03", 4096, "3 bytes given, fewer than the 4-byte header"},
      {"Size 0", "00 00 03 00", 4096, "Size 0 (type 3 HEARTBEAT) is outside [4, 4096]"},
      {"Size 3", "03 00 03 00", 4096, "Size 3 (type 3 HEARTBEAT) is outside [4, 4096]"},
      {"Size above the bound", "11 00 03 00 00*13", 16,
       "Size 17 (type 3 HEARTBEAT) is outside [4, 16]"},
      {"body missing", "10 00 03 00 00 00", 4096,
       "Size 16 (type 3 HEARTBEAT) but only 6 bytes given"},
  };
  for (const DecodeErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    const auto decoded = decode(hex(c.bytes), c.bound);
    ASSERT_FALSE(decoded);
    EXPECT_NE(decoded.error().message.find(c.expected_error), std::string::npos)
        << decoded.error().message;
  }
}

TEST(DtcCodec, DecodeReadsOnlyTheFirstFrame) {
  std::vector<std::uint8_t> two = encode(Heartbeat{});
  const std::vector<std::uint8_t> logoff = encode(Logoff{});
  two.insert(two.end(), logoff.begin(), logoff.end());
  const auto decoded = decode(two);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(decoded.value()));
}

}  // namespace
}  // namespace daytrader::dtc
