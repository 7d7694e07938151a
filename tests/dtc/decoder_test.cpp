// The streaming Decoder: partial frames wait, several frames per read come out one by one,
// older (shorter) and newer (longer) peers decode per §9.2-§9.3, unknown types are skipped, and
// hostile headers end the stream with a clear error instead of a crash or a large allocation.

#include "dtc/decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dtc/codec.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

using testing::for_each_message_type;
using testing::hex;
using testing::with_size;

using Bytes = std::vector<std::uint8_t>;

// Feeds everything, then pulls until the decoder wants more bytes or fails.
std::vector<core::Result<Message>> drain(Decoder& decoder, const Bytes& bytes) {
  decoder.feed(bytes);
  std::vector<core::Result<Message>> out;
  while (auto frame = decoder.next()) {
    const bool failed = !*frame;
    out.push_back(std::move(*frame));
    if (failed) break;
  }
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(DtcDecoder, APartialFrameWaitsForTheRestByteByByte) {
  OrderUpdate update = testing::random_message<OrderUpdate>(5);
  const Bytes bytes = encode(update);
  Decoder decoder;
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    decoder.feed(std::span(&bytes[i], 1));
    ASSERT_FALSE(decoder.next().has_value()) << "a frame came out after " << i + 1 << " bytes";
  }
  EXPECT_EQ(decoder.buffered_bytes(), bytes.size() - 1);
  decoder.feed(std::span(&bytes.back(), 1));

  auto frame = decoder.next();
  ASSERT_TRUE(frame.has_value());
  ASSERT_TRUE(*frame);
  EXPECT_EQ(std::get<OrderUpdate>(frame->value()), update);
  EXPECT_FALSE(decoder.next().has_value());
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
}

TEST(DtcDecoder, SplittingTheStreamAnywhereGivesTheSameMessages) {
  const std::vector<Message> sent = {
      EncodingRequest{},
      testing::random_message<LogonRequest>(1),
      Heartbeat{},
      testing::random_message<MarketDataUpdateTradeNoTimestamp>(2),
      UnknownMessage{10100, 9},
      testing::random_message<OrderUpdate>(3),
      testing::random_message<MarketDataUpdateTradeWithUnbundledIndicator2>(4),
  };
  Bytes stream;
  for (const Message& m : sent) encode_into(m, stream);

  for (const std::size_t chunk : {1UL, 2UL, 3UL, 5UL, 7UL, 19UL, 64UL, 1000UL, stream.size()}) {
    SCOPED_TRACE(::testing::Message() << "chunk " << chunk);
    Decoder decoder;
    std::vector<Message> received;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      decoder.feed(std::span(stream).subspan(pos, std::min(chunk, stream.size() - pos)));
      while (auto frame = decoder.next()) {
        ASSERT_TRUE(*frame) << frame->error().message;
        received.push_back(frame->value());
      }
    }
    EXPECT_EQ(received, sent);
    EXPECT_EQ(decoder.stats().frames, sent.size());
    EXPECT_EQ(decoder.stats().bytes, stream.size());
    EXPECT_EQ(decoder.stats().unknown_types, 1U);
  }
}

// Every known type, cut at every possible Size from 4 up to its full size: the fields that fit
// are read, the others keep their defaults (a field cut in the middle counts as absent).
TEST(DtcDecoder, ShorterMessagesFromOlderPeersGetDefaultsForMissingFields) {
  for_each_message_type([]<class M>() {
    const M full = testing::random_message<M>(11);
    const Bytes bytes = encode(full);
    for (std::size_t size = kHeaderSize; size < M::kSize; ++size) {
      SCOPED_TRACE(::testing::Message() << M::kName << " cut to Size " << size);
      Decoder decoder;
      const auto frames = drain(decoder, with_size(bytes, size));
      ASSERT_EQ(frames.size(), 1U);
      ASSERT_TRUE(frames[0]) << frames[0].error().message;
      EXPECT_EQ(std::get<M>(frames[0].value()), testing::keep_fields_within(full, size));
      EXPECT_EQ(decoder.stats().shorter_than_known, 1U);
    }
  });
}

// Every known type with 1..40 extra bytes appended by a newer peer: the known prefix is used,
// the tail is skipped, and the next frame still decodes.
TEST(DtcDecoder, LongerMessagesFromNewerPeersUseTheKnownPrefix) {
  for_each_message_type([]<class M>() {
    const M full = testing::random_message<M>(12);
    for (const std::size_t extra : {1UL, 7UL, 40UL}) {
      SCOPED_TRACE(::testing::Message() << M::kName << " plus " << extra << " bytes");
      Decoder decoder;
      const auto frames =
          drain(decoder, concat({with_size(encode(full), M::kSize + extra), encode(Heartbeat{})}));
      ASSERT_EQ(frames.size(), 2U);
      ASSERT_TRUE(frames[0]);
      EXPECT_EQ(std::get<M>(frames[0].value()), full);
      ASSERT_TRUE(frames[1]);
      EXPECT_TRUE(std::holds_alternative<Heartbeat>(frames[1].value()));
      EXPECT_EQ(decoder.stats().longer_than_known, 1U);
    }
  });
}

// The older layouts named in §12.2, spelled out.
TEST(DtcDecoder, OlderHeaderEditionsDecodeWithTheSpecDefaults) {
  {
    SubmitNewSingleOrder order = testing::random_message<SubmitNewSingleOrder>(1);
    const auto old = testing::decode_one<SubmitNewSingleOrder>(with_size(encode(order), 264));
    EXPECT_EQ(old.max_show_quantity, order.max_show_quantity);
    EXPECT_EQ(old.client_order_id, order.client_order_id);
    EXPECT_TRUE(old.price1_as_string.empty());
    EXPECT_TRUE(old.price2_as_string.empty());
    EXPECT_EQ(old.intended_position_quantity, 0.0);
  }
  {
    OrderUpdate update = testing::random_message<OrderUpdate>(2);
    const auto old = testing::decode_one<OrderUpdate>(with_size(encode(update), 688));
    EXPECT_EQ(old.latest_transaction_date_time, update.latest_transaction_date_time);
    EXPECT_TRUE(old.username.empty());

    const auto cut = testing::decode_one<OrderUpdate>(with_size(encode(update), 248));
    EXPECT_EQ(cut.price1, update.price1);
    EXPECT_EQ(cut.price2, kUnsetDouble);
    EXPECT_EQ(cut.order_quantity, kUnsetDouble);
    EXPECT_EQ(cut.last_fill_price, kUnsetDouble);
  }
  {
    // TradeAccount starts at 121, inside the old 128-byte message's trailing padding: the 7
    // bytes present there must not be read as a truncated account (§9.3).
    CancelReplaceOrder replace = testing::random_message<CancelReplaceOrder>(3);
    replace.trade_account = "ACCOUNT-1";
    const auto old = testing::decode_one<CancelReplaceOrder>(with_size(encode(replace), 128));
    EXPECT_EQ(old.update_price1_offset_to_parent, replace.update_price1_offset_to_parent);
    EXPECT_TRUE(old.trade_account.empty());

    const auto very_old = testing::decode_one<CancelReplaceOrder>(with_size(encode(replace), 96));
    EXPECT_EQ(very_old.price1_is_set, 1);
    EXPECT_EQ(very_old.price2_is_set, 1);
  }
  {
    const auto old = testing::decode_one<MarketDataUpdateTradeNoTimestamp>(
        hex("12 00 8e 00  01 00 00 00  00 42 9c 45  02 00 00 00  01 01"));
    EXPECT_EQ(old.volume, 2U);
    EXPECT_EQ(old.trade_condition, TradeCondition::kNone);
  }
  {
    const auto bare = testing::decode_one<MarketDataSnapshot>(hex("04 00 68 00"));
    EXPECT_EQ(bare, MarketDataSnapshot{});
    EXPECT_EQ(bare.bid_price, kUnsetDouble);
    EXPECT_EQ(bare.open_interest, kUnsetUint32);
  }
}

TEST(DtcDecoder, UnknownTypesAreSkippedAndReportedNotFatal) {
  Decoder decoder;
  const auto frames = drain(decoder, concat({hex("08 00 66 00  01 02 03 04"),  // 102 depth request
                                             hex("04 00 74 27"),               // 10100 custom
                                             hex("0c 00 ff ff  00*8"),         // 65535
                                             encode(Heartbeat{})}));
  ASSERT_EQ(frames.size(), 4U);
  for (const auto& f : frames) ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(frames[0].value(), Message(UnknownMessage{102, 8}));
  EXPECT_EQ(frames[1].value(), Message(UnknownMessage{10100, 4}));
  EXPECT_EQ(frames[2].value(), Message(UnknownMessage{65535, 12}));
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(frames[3].value()));
  EXPECT_EQ(decoder.stats().unknown_types, 3U);
  EXPECT_FALSE(decoder.has_failed());
}

struct HostileCase {
  const char* name;
  Bytes bytes;
  std::size_t bound;
  std::string expected_error;
  std::size_t frames_before_error;
};

TEST(DtcDecoder, HostileHeadersAreFramingErrorsWithAClearMessage) {
  const HostileCase cases[] = {
      {"Size 0", hex("00 00 03 00"), kDefaultMaxMessageSize,
       "DTC framing error at stream byte 0: Size 0 (type 3 HEARTBEAT) is smaller than the "
       "4-byte header; the stream cannot be re-synchronised",
       0},
      {"Size 3", hex("03 00 00 00"), kDefaultMaxMessageSize,
       "DTC framing error at stream byte 0: Size 3 (type 0 UNKNOWN) is smaller than the 4-byte "
       "header; the stream cannot be re-synchronised",
       0},
      {"Size above the default bound", hex("01 10 2d 01"), kDefaultMaxMessageSize,
       "DTC framing error at stream byte 0: Size 4097 (type 301 ORDER_UPDATE) exceeds the "
       "4096-byte frame bound; the stream cannot be re-synchronised",
       0},
      {"Size 65535", hex("ff ff ff ff"), kDefaultMaxMessageSize,
       "DTC framing error at stream byte 0: Size 65535 (type 65535 UNKNOWN) exceeds the "
       "4096-byte frame bound; the stream cannot be re-synchronised",
       0},
      {"text read as binary", hex("7b 22 54 79"), kDefaultMaxMessageSize,  // {"Ty
       "DTC framing error at stream byte 0: Size 8827 (type 31060 UNKNOWN) exceeds the "
       "4096-byte frame bound; the stream cannot be re-synchronised (the bytes look like JSON text, but "
       "the binary encoding is in force: an encoding mismatch)",
       0},
      {"Size above a custom bound", hex("11 00 03 00"), 16,
       "DTC framing error at stream byte 0: Size 17 (type 3 HEARTBEAT) exceeds the 16-byte "
       "frame bound; the stream cannot be re-synchronised",
       0},
      {"Size 0 after two good frames",
       concat({encode(Heartbeat{}), encode(Logoff{}), hex("00 00 00 00")}), kDefaultMaxMessageSize,
       "DTC framing error at stream byte 118: Size 0 (type 0 UNKNOWN) is smaller than the 4-byte "
       "header; the stream cannot be re-synchronised",
       2},
  };
  for (const HostileCase& c : cases) {
    SCOPED_TRACE(c.name);
    Decoder decoder(c.bound);
    const auto frames = drain(decoder, c.bytes);
    ASSERT_EQ(frames.size(), c.frames_before_error + 1);
    for (std::size_t i = 0; i < c.frames_before_error; ++i) EXPECT_TRUE(frames[i]);
    ASSERT_FALSE(frames.back());
    EXPECT_EQ(frames.back().error().message, c.expected_error);
    EXPECT_TRUE(decoder.has_failed());
    EXPECT_EQ(decoder.buffered_bytes(), 0U) << "a failed decoder keeps no bytes";
  }
}

TEST(DtcDecoder, AFramingErrorIsStickyAndLaterBytesAreDropped) {
  Decoder decoder;
  decoder.feed(hex("00 00 03 00"));
  const auto first = decoder.next();
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE(*first);

  decoder.feed(encode(Heartbeat{}));
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
  for (int i = 0; i < 3; ++i) {
    const auto again = decoder.next();
    ASSERT_TRUE(again.has_value());
    ASSERT_FALSE(*again);
    EXPECT_EQ(again->error().message, first->error().message);
  }
}

TEST(DtcDecoder, AnOversizedHeaderFailsBeforeItsBodyArrives) {
  // Only the 4 header bytes of a 60000-byte frame: the decoder must not wait for (or buffer)
  // the body of a frame it would refuse anyway.
  Decoder decoder;
  decoder.feed(hex("60 ea 2d 01"));
  const auto frame = decoder.next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_FALSE(*frame);
}

TEST(DtcDecoder, AFrameOfExactlyTheBoundIsAccepted) {
  Decoder decoder(kDefaultMaxMessageSize);
  const auto frames = drain(decoder, with_size(encode(Heartbeat{}), kDefaultMaxMessageSize));
  ASSERT_EQ(frames.size(), 1U);
  ASSERT_TRUE(frames[0]) << frames[0].error().message;
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(frames[0].value()));
}

}  // namespace
}  // namespace daytrader::dtc
