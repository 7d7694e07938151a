// Pins the size of every message and the offset, width and wire type of every field against
// the tables of the spec (tests/dtc/spec_layouts.inc, extracted from dtc.md by
// extract_spec_layouts.py). The codec's own offsets are written in messages_*.h; this is the
// independent copy, so a mistake on either side fails here.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dtc/message.h"
#include "test_support.h"

namespace daytrader::dtc {
namespace {

struct SpecMessage {
  std::uint16_t type;
  std::string_view name;
  std::uint16_t size;
  bool packed;
};

struct SpecField {
  std::uint16_t type;
  std::uint16_t offset;
  std::uint16_t width;
  std::string_view name;
  std::string_view wire_type;
};

#include "spec_layouts.inc"

struct CodecMessage {
  std::string name;
  std::size_t size;
  bool packed;
  std::vector<testing::FieldInfo> fields;
};

std::map<std::uint16_t, CodecMessage> codec_messages() {
  std::map<std::uint16_t, CodecMessage> out;
  testing::for_each_message_type([&out]<class M>() {
    out[M::kType] = {std::string(M::kName), M::kSize, M::kPacked, testing::fields_of<M>()};
  });
  return out;
}

// HISTORICAL_PRICE_DATA_RECORD_RESPONSE declares OpenInterest and NumTrades as a union at 56:
// the codec stores it once as NumTrades (with an open_interest() accessor).
bool is_union_alias(const SpecField& f) {
  return f.type == HistoricalPriceDataRecordResponse::kType && f.name == "OpenInterest";
}

TEST(DtcLayout, CoversExactlyTheMessagesOfTheSpec) {
  const auto codec = codec_messages();
  std::set<std::uint16_t> spec_types;
  for (const SpecMessage& m : kSpecMessages) spec_types.insert(m.type);
  std::set<std::uint16_t> codec_types;
  for (const auto& [type, m] : codec) codec_types.insert(type);

  EXPECT_EQ(std::size(kSpecMessages), 60U);
  EXPECT_EQ(codec_types, spec_types);
}

TEST(DtcLayout, EveryMessageHasTheSpecNameSizeAndPacking) {
  const auto codec = codec_messages();
  for (const SpecMessage& spec : kSpecMessages) {
    SCOPED_TRACE(::testing::Message() << "type " << spec.type << " " << spec.name);
    const auto it = codec.find(spec.type);
    ASSERT_NE(it, codec.end());
    EXPECT_EQ(it->second.name, spec.name);
    EXPECT_EQ(it->second.size, spec.size);
    EXPECT_EQ(it->second.packed, spec.packed);
    EXPECT_EQ(known_size(spec.type), spec.size);
    EXPECT_EQ(message_name(spec.type), spec.name);
  }
}

TEST(DtcLayout, EverySpecFieldHasItsOffsetWidthAndWireType) {
  const auto codec = codec_messages();
  for (const SpecField& spec : kSpecFields) {
    SCOPED_TRACE(::testing::Message() << message_name(spec.type) << "." << spec.name << " @"
                                      << spec.offset << " (" << spec.wire_type << ")");
    const auto& fields = codec.at(spec.type).fields;
    const std::string_view name = is_union_alias(spec) ? "NumTrades" : spec.name;
    const auto it = std::find_if(fields.begin(), fields.end(),
                                 [&](const testing::FieldInfo& f) { return f.name == name; });
    ASSERT_NE(it, fields.end()) << "the codec has no field of this name";
    EXPECT_EQ(it->offset, spec.offset);
    EXPECT_EQ(it->width, spec.width);
    EXPECT_EQ(it->wire_type, spec.wire_type);
  }
}

TEST(DtcLayout, EveryCodecFieldIsInTheSpecOnce) {
  std::map<std::uint16_t, std::multiset<std::string>> spec_names;
  for (const SpecField& f : kSpecFields) {
    if (!is_union_alias(f)) spec_names[f.type].insert(std::string(f.name));
  }
  for (const auto& [type, message] : codec_messages()) {
    SCOPED_TRACE(message.name);
    std::multiset<std::string> names;
    for (const auto& f : message.fields) names.insert(f.name);
    EXPECT_EQ(names, spec_names[type]);
  }
}

TEST(DtcLayout, FieldsAreInWireOrderAndInsideTheMessage) {
  for (const auto& [type, message] : codec_messages()) {
    SCOPED_TRACE(message.name);
    std::size_t end = kHeaderSize;
    for (const auto& f : message.fields) {
      EXPECT_GE(f.offset, end) << f.name << " overlaps the field before it";
      end = f.offset + f.width;
    }
    EXPECT_LE(end, message.size);
  }
}

TEST(DtcLayout, UnknownTypesHaveNoNameAndNoSize) {
  for (const std::uint16_t type : {0, 4, 102, 106, 125, 205, 805, 1023, 1024, 10100, 65535}) {
    SCOPED_TRACE(type);
    EXPECT_FALSE(is_known_type(static_cast<std::uint16_t>(type)));
    EXPECT_EQ(message_name(static_cast<std::uint16_t>(type)), "UNKNOWN");
    EXPECT_EQ(known_size(static_cast<std::uint16_t>(type)), 0U);
  }
}

}  // namespace
}  // namespace daytrader::dtc
