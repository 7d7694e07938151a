#include "dtc/codec.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/assert.h"

namespace daytrader::dtc {
namespace {

// Type -> decoder and facts, indexed by the type number: O(1) dispatch per frame. Every type
// in the spec is below 1024; Sierra Chart's custom types (>= 10000) fall outside and are unknown.
constexpr std::size_t kTypeTableSize = 1024;

using DecodeFn = Message (*)(std::span<const std::uint8_t>) noexcept;

struct TypeInfo {
  DecodeFn decode = nullptr;
  std::string_view name;
  std::uint16_t size = 0;
};

template <KnownMessage M>
Message decode_to_variant(std::span<const std::uint8_t> frame) noexcept {
  return decode_as<M>(frame);
}

template <std::size_t... I>
consteval std::array<TypeInfo, kTypeTableSize> make_type_table(std::index_sequence<I...>) {
  std::array<TypeInfo, kTypeTableSize> table{};
  const auto add = [&table]<class M>(std::type_identity<M>) {
    if constexpr (KnownMessage<M>) {
      // Out of range or a duplicate type stops the constant evaluation: a compile error here
      // means two structs claim the same number or a number needs a bigger table.
      if (M::kType >= kTypeTableSize || table[M::kType].decode != nullptr) throw "bad DTC type";
      table[M::kType] = TypeInfo{&decode_to_variant<M>, M::kName, M::kSize};
    }
  };
  (add(std::type_identity<std::variant_alternative_t<I, Message>>{}), ...);
  return table;
}

constexpr auto kTypeTable =
    make_type_table(std::make_index_sequence<std::variant_size_v<Message>>{});

const TypeInfo* find_type(std::uint16_t type) noexcept {
  if (type >= kTypeTableSize || kTypeTable[type].decode == nullptr) return nullptr;
  return &kTypeTable[type];
}

}  // namespace

bool is_known_type(std::uint16_t type) noexcept { return find_type(type) != nullptr; }

std::string_view message_name(std::uint16_t type) noexcept {
  const TypeInfo* info = find_type(type);
  return info != nullptr ? info->name : std::string_view("UNKNOWN");
}

std::size_t known_size(std::uint16_t type) noexcept {
  const TypeInfo* info = find_type(type);
  return info != nullptr ? info->size : 0;
}

std::uint16_t message_type(const Message& message) noexcept {
  return std::visit(
      []<class M>(const M& m) -> std::uint16_t {
        if constexpr (KnownMessage<M>) {
          return M::kType;
        } else {
          return m.type;
        }
      },
      message);
}

void encode_into(const UnknownMessage& message, std::vector<std::uint8_t>& out) {
  const std::uint16_t size = std::max<std::uint16_t>(message.size, kHeaderSize);
  const std::size_t base = out.size();
  out.resize(base + size, 0);
  wire::store_u16(out.data() + base, size);
  wire::store_u16(out.data() + base + 2, message.type);
}

void encode_into(const Message& message, std::vector<std::uint8_t>& out) {
  std::visit([&out](const auto& m) { encode_into(m, out); }, message);
}

Message decode_frame(std::span<const std::uint8_t> frame) noexcept {
  DT_ASSERT(frame.size() >= kHeaderSize, "decode_frame needs at least the 4-byte header");
  const std::uint16_t type = wire::load_u16(frame.data() + 2);
  if (const TypeInfo* info = find_type(type)) return info->decode(frame);
  return UnknownMessage{type, static_cast<std::uint16_t>(frame.size())};
}

core::Result<Message> decode(std::span<const std::uint8_t> bytes,
                             std::size_t max_message_size) noexcept {
  if (bytes.size() < kHeaderSize) {
    return core::Error{fmt::format("DTC message: {} bytes given, fewer than the {}-byte header",
                                   bytes.size(), kHeaderSize)};
  }
  const std::uint16_t size = wire::load_u16(bytes.data());
  const std::uint16_t type = wire::load_u16(bytes.data() + 2);
  if (size < kHeaderSize || size > max_message_size) {
    return core::Error{fmt::format("DTC message: Size {} (type {} {}) is outside [{}, {}]", size,
                                   type, message_name(type), kHeaderSize, max_message_size)};
  }
  if (bytes.size() < size) {
    return core::Error{fmt::format("DTC message: Size {} (type {} {}) but only {} bytes given",
                                   size, type, message_name(type), bytes.size())};
  }
  return decode_frame(bytes.first(size));
}

}  // namespace daytrader::dtc
