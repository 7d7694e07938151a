#pragma once
// Field-level wire primitives: little-endian scalars, fixed-length text, and the layout rule of
// dtc.md §2.3 checked at compile time.
//
// Every message struct lists its fields once, in for_each_field(), as (spec name, byte offset,
// member). The encoder writes and the decoder reads each field at that offset, byte by byte, so
// the host's struct layout, alignment and endianness never matter (the spec's project rule
// §2.3 (b); no struct is ever reinterpreted as bytes). follows_layout_rule<M>() re-derives every
// offset and the total size from the C layout rule the protocol header relies on, which turns
// a mistyped offset or a forgotten field into a compile error.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "dtc/fixed_string.h"

namespace daytrader::dtc::wire {

template <class T>
struct IsFixedString : std::false_type {};
template <std::size_t N>
struct IsFixedString<FixedString<N>> : std::true_type {
  static constexpr std::size_t kLength = N;
};

// Integers (not bool: DTC flags are uint8 and may carry any byte), enums, float and double.
template <class T>
concept Scalar = (std::is_integral_v<T> && !std::is_same_v<T, bool>) || std::is_enum_v<T> ||
                 std::is_same_v<T, float> || std::is_same_v<T, double>;

template <class T>
concept Field = Scalar<T> || IsFixedString<T>::value;

// Bytes the field occupies on the wire.
template <Field T>
inline constexpr std::size_t kWidth = [] {
  if constexpr (IsFixedString<T>::value) {
    return IsFixedString<T>::kLength;
  } else {
    return sizeof(T);
  }
}();

// Alignment in the natural (pack 8) layout: a scalar aligns to its own width on every ABI the
// protocol header targets, text to 1. Deliberately not alignof(T), which is the host's.
template <Field T>
inline constexpr std::size_t kAlign = IsFixedString<T>::value ? 1 : kWidth<T>;

// The unsigned integer with the same bytes as T.
template <std::size_t Width>
using Bits = std::conditional_t<
    Width == 1, std::uint8_t,
    std::conditional_t<Width == 2, std::uint16_t,
                       std::conditional_t<Width == 4, std::uint32_t, std::uint64_t>>>;

template <Scalar T>
[[nodiscard]] constexpr Bits<sizeof(T)> to_bits(T v) noexcept {
  using U = Bits<sizeof(T)>;
  if constexpr (std::is_floating_point_v<T>) {
    return std::bit_cast<U>(v);
  } else if constexpr (std::is_enum_v<T>) {
    return static_cast<U>(static_cast<std::underlying_type_t<T>>(v));
  } else {
    return static_cast<U>(v);
  }
}

template <Scalar T>
[[nodiscard]] constexpr T from_bits(Bits<sizeof(T)> u) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    return std::bit_cast<T>(u);
  } else if constexpr (std::is_enum_v<T>) {
    // Any value of the underlying type is a valid enum value: unknown ones survive (§9.7).
    return static_cast<T>(static_cast<std::underlying_type_t<T>>(u));
  } else {
    return static_cast<T>(u);  // modular since C++20, so negative values round-trip
  }
}

// Writes v at out[0..kWidth<T>). The caller guarantees the bytes exist.
template <Field T>
constexpr void store(std::uint8_t* out, const T& v) noexcept {
  if constexpr (IsFixedString<T>::value) {
    v.write_wire(std::span<std::uint8_t, kWidth<T>>(out, kWidth<T>));
  } else {
    const auto u = to_bits(v);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      out[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(u) >> (8 * i));
    }
  }
}

// Reads the field from in[0..kWidth<T>). The caller guarantees the bytes exist.
template <Field T>
constexpr void load(const std::uint8_t* in, T& v) noexcept {
  if constexpr (IsFixedString<T>::value) {
    v.assign_wire(std::span<const std::uint8_t, kWidth<T>>(in, kWidth<T>));
  } else {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) u |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    v = from_bits<T>(static_cast<Bits<sizeof(T)>>(u));
  }
}

// Header fields, shared by the codec and the framer.
[[nodiscard]] constexpr std::uint16_t load_u16(const std::uint8_t* in) noexcept {
  return static_cast<std::uint16_t>(in[0] | (in[1] << 8));
}
constexpr void store_u16(std::uint8_t* out, std::uint16_t v) noexcept {
  out[0] = static_cast<std::uint8_t>(v);
  out[1] = static_cast<std::uint8_t>(v >> 8);
}

// Walks a message's fields and replays the C layout rule of §2.3: each field starts at the
// next multiple of its alignment after the previous one (packed messages: right after it), and
// the size is the end rounded up to the largest alignment. Any disagreement clears ok.
class LayoutRule {
 public:
  explicit constexpr LayoutRule(bool packed) noexcept
      : packed_(packed), max_align_(packed ? 1 : 2) {}

  template <Field T>
  constexpr void operator()(std::string_view /*name*/, std::size_t offset,
                            const T& /*field*/) noexcept {
    const std::size_t align = packed_ ? 1 : kAlign<T>;
    if (offset != round_up(end_, align)) ok_ = false;
    end_ = offset + kWidth<T>;
    if (align > max_align_) max_align_ = align;
  }

  [[nodiscard]] constexpr bool ok() const noexcept { return ok_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return round_up(end_, max_align_); }

 private:
  [[nodiscard]] static constexpr std::size_t round_up(std::size_t n, std::size_t a) noexcept {
    return (n + a - 1) / a * a;
  }
  bool packed_;
  bool ok_ = true;
  std::size_t end_ = 4;    // after Size and Type
  std::size_t max_align_;  // the uint16 header fields give 2 unless packed
};

template <class M>
[[nodiscard]] consteval bool follows_layout_rule() {
  LayoutRule rule(M::kPacked);
  M m{};  // not const: g++ 12 rejects a const object whose constructor assigns in a constant
          // expression
  M::for_each_field(m, rule);
  return rule.ok() && rule.size() == M::kSize;
}

}  // namespace daytrader::dtc::wire
