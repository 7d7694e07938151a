// The encoding-request handshake of §3.4.

#include "dtc/handshake.h"

#include <gtest/gtest.h>

#include <vector>

#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

TEST(DtcHandshake, TheClientAsksForBinaryWithProtocolVersion8) {
  const EncodingRequest request = make_encoding_request();
  EXPECT_EQ(request.protocol_version, 8);
  EXPECT_EQ(request.encoding, Encoding::kBinary);
  EXPECT_EQ(request.protocol_type, "DTC");
  EXPECT_EQ(encode(request), testing::hex("10 00 06 00 08 00 00 00 00 00 00 00 44 54 43 00"));
}

TEST(DtcHandshake, TheClientAcceptsOnlyABinaryAnswer) {
  EncodingResponse binary;
  EXPECT_TRUE(check_encoding_response(binary));

  EncodingResponse json;
  json.encoding = Encoding::kJson;
  const core::Status refused = check_encoding_response(json);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "DTC ENCODING_RESPONSE: Encoding 2 (JSON_ENCODING) is not supported, expected 0 "
            "(BINARY_ENCODING)");

  EncodingResponse unknown;
  unknown.encoding = static_cast<Encoding>(9);
  const core::Status odd = check_encoding_response(unknown);
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.error().message.find("Encoding 9 (UNKNOWN)"), std::string::npos);
}

TEST(DtcHandshake, TheServerAnswersTheEncodingAskedForWhenItSpeaksItElseBinary) {
  struct Row {
    Encoding asked;
    bool allow_json;
    Encoding answered;
  };
  const std::vector<Row> rows = {
      {Encoding::kBinary, true, Encoding::kBinary},
      {Encoding::kJson, true, Encoding::kJson},
      {Encoding::kJsonCompact, true, Encoding::kJsonCompact},
      {Encoding::kBinaryWithVariableLengthStrings, true, Encoding::kBinary},
      {Encoding::kProtocolBuffers, true, Encoding::kBinary},
      {static_cast<Encoding>(77), true, Encoding::kBinary},
      {Encoding::kJson, false, Encoding::kBinary},
      {Encoding::kJsonCompact, false, Encoding::kBinary},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << static_cast<int>(row.asked) << " allow_json " << row.allow_json);
    const EncodingRequest request = make_encoding_request(row.asked);
    const EncodingResponse response = answer_encoding_request(request, row.allow_json);
    EXPECT_EQ(response.encoding, row.answered);
    EXPECT_EQ(response.protocol_version, 8);
    EXPECT_EQ(response.protocol_type, "DTC");
    // The client that asked accepts the answer, and uses it.
    const auto used = accept_encoding_response(response, row.asked);
    ASSERT_TRUE(used) << used.error().message;
    EXPECT_EQ(used.value(), row.answered);
  }
}

TEST(DtcHandshake, AJsonClientAcceptsJsonOrBinaryAndNothingElse) {
  EncodingResponse json;
  json.encoding = Encoding::kJson;
  EXPECT_EQ(accept_encoding_response(json, Encoding::kJson).value(), Encoding::kJson);
  EXPECT_EQ(accept_encoding_response(EncodingResponse{}, Encoding::kJson).value(), Encoding::kBinary);
  EncodingResponse compact;
  compact.encoding = Encoding::kJsonCompact;
  const auto refused = accept_encoding_response(compact, Encoding::kJson);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "DTC ENCODING_RESPONSE: Encoding 3 (JSON_COMPACT_ENCODING) is not supported, expected 2 "
            "(JSON_ENCODING) or 0 (BINARY_ENCODING)");
  EXPECT_EQ(encode(make_encoding_request(Encoding::kJson)),
            testing::hex("10 00 06 00 08 00 00 00 02 00 00 00 44 54 43 00"));
}

TEST(DtcHandshake, TheServersAnswerRoundTripsThroughTheWire) {
  // The pair is always binary (§3.4): the same codec frames it in both directions.
  Decoder decoder;
  decoder.feed(encode(answer_encoding_request(make_encoding_request())));
  auto frame = decoder.next();
  ASSERT_TRUE(frame.has_value());
  ASSERT_TRUE(*frame);
  ASSERT_TRUE(std::holds_alternative<EncodingResponse>(frame->value()));
  EXPECT_TRUE(check_encoding_response(std::get<EncodingResponse>(frame->value())));
}

}  // namespace
}  // namespace daytrader::dtc
