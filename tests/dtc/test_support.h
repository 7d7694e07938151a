#pragma once
// Helpers shared by the dtc tests: iterating over every message type, reflecting fields,
// filling messages with deterministic pseudo-random values, and building frames by hand.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "dtc/codec.h"
#include "dtc/message.h"
#include "dtc/wire.h"

namespace daytrader::dtc::testing {

template <class F, std::size_t... I>
void for_each_message_type_impl(F& f, std::index_sequence<I...> /*alternatives*/) {
  const auto one = [&f]<class M>(std::type_identity<M>) {
    if constexpr (KnownMessage<M>) f.template operator()<M>();
  };
  (one(std::type_identity<std::variant_alternative_t<I, Message>>{}), ...);
}

// Calls f.template operator()<M>() for every known message type, in variant order.
template <class F>
void for_each_message_type(F&& f) {
  for_each_message_type_impl(f, std::make_index_sequence<std::variant_size_v<Message>>{});
}

// The spec's name for a field's wire type: "int32", "double", "char[32]", ...
template <class T>
std::string wire_type_name() {
  if constexpr (wire::IsFixedString<T>::value) {
    return "char[" + std::to_string(wire::IsFixedString<T>::kLength) + "]";
  } else if constexpr (std::is_enum_v<T>) {
    return wire_type_name<std::underlying_type_t<T>>();
  } else if constexpr (std::is_same_v<T, float>) {
    return "float";
  } else if constexpr (std::is_same_v<T, double>) {
    return "double";
  } else {
    return std::string(std::is_signed_v<T> ? "int" : "uint") + std::to_string(8 * sizeof(T));
  }
}

struct FieldInfo {
  std::string name;  // as in the spec: "HeartbeatIntervalInSeconds"
  std::size_t offset;
  std::size_t width;
  std::string wire_type;
};

template <KnownMessage M>
std::vector<FieldInfo> fields_of() {
  std::vector<FieldInfo> out;
  M m{};
  M::for_each_field(m, [&out](std::string_view name, std::size_t offset, const auto& field) {
    using T = std::remove_cvref_t<decltype(field)>;
    out.push_back({std::string(name), offset, wire::kWidth<T>, wire_type_name<T>()});
  });
  return out;
}

// Every field set from a seeded generator: integers and enums take random bit patterns (so
// enum values outside the known set are exercised), floats random non-NaN bit patterns (NaN
// would defeat operator==), text random bytes 1..255 of random length up to the capacity.
template <KnownMessage M>
M random_message(std::uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + M::kType);
  M m{};
  M::for_each_field(m, [&rng](std::string_view, std::size_t, auto& field) {
    using T = std::remove_cvref_t<decltype(field)>;
    if constexpr (wire::IsFixedString<T>::value) {
      std::string text(rng() % (T::kCapacity + 1), ' ');
      for (char& c : text) c = static_cast<char>(1 + rng() % 255);
      field = text;
    } else {
      auto bits = static_cast<wire::Bits<sizeof(T)>>(rng());
      T value = wire::from_bits<T>(bits);
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(value)) value = static_cast<T>(0.25);
      }
      field = value;
    }
  });
  return m;
}

// The default message's wire image with the bytes of the selected fields taken from source's
// image: a message whose selected fields come from source and the rest are defaults, built at
// the byte level so that tests do not need to copy members by name.
template <KnownMessage M, class Selected>
std::vector<std::uint8_t> splice_fields(const M& source, Selected&& selected) {
  std::vector<std::uint8_t> out = encode(M{});
  const std::vector<std::uint8_t> from = encode(source);
  std::size_t index = 0;
  for (const FieldInfo& f : fields_of<M>()) {
    if (selected(index++, f)) {
      std::copy_n(from.begin() + static_cast<std::ptrdiff_t>(f.offset), f.width,
                  out.begin() + static_cast<std::ptrdiff_t>(f.offset));
    }
  }
  return out;
}

// What decoding a frame cut to `size` bytes must give: the fields that fit, defaults for the
// rest (a field cut in the middle counts as absent, §9.3). Computed from a full-size frame, a
// different decoding path from the cut frame's.
template <KnownMessage M>
M keep_fields_within(const M& full, std::size_t size) {
  return decode_as<M>(splice_fields(
      full, [size](std::size_t, const FieldInfo& f) { return f.offset + f.width <= size; }));
}

// A frame cut or extended to n bytes (extension filled with `fill`) with Size patched to n:
// how an older or a newer peer's message looks on the wire.
inline std::vector<std::uint8_t> with_size(std::vector<std::uint8_t> frame, std::size_t n,
                                           std::uint8_t fill = 0xEE) {
  frame.resize(n, fill);
  if (n >= 2) wire::store_u16(frame.data(), static_cast<std::uint16_t>(n));
  return frame;
}

// "10 00 06 00" -> bytes; "00*96" repeats a byte 96 times. Spaces and line breaks are ignored.
inline std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::size_t i = 0;
  const auto skip_blanks = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
  };
  for (skip_blanks(); i < text.size(); skip_blanks()) {
    if (i + 2 > text.size()) throw std::invalid_argument("hex: odd digit count");
    const auto byte =
        static_cast<std::uint8_t>(std::stoul(std::string(text.substr(i, 2)), nullptr, 16));
    i += 2;
    std::size_t repeat = 1;
    if (i < text.size() && text[i] == '*') {
      std::size_t digits = 0;
      repeat = std::stoul(std::string(text.substr(i + 1)), &digits, 10);
      i += 1 + digits;
    }
    out.insert(out.end(), repeat, byte);
  }
  return out;
}

// Decodes bytes that must hold exactly one valid frame, or fails the calling test.
template <KnownMessage M>
M decode_one(const std::vector<std::uint8_t>& bytes) {
  auto decoded = decode(bytes);
  if (!decoded) throw std::runtime_error(decoded.error().message);
  if (!std::holds_alternative<M>(decoded.value())) {
    throw std::runtime_error("decoded another type: " +
                             std::string(message_name(message_type(decoded.value()))));
  }
  return std::get<M>(std::move(decoded).value());
}

}  // namespace daytrader::dtc::testing
