#include "dtc/json_codec.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/assert.h"
#include "dtc/codec.h"
#include "dtc/wire.h"

namespace daytrader::dtc {

namespace {

using Json = nlohmann::json;                 // decoding: keys looked up by name
using OrderedJson = nlohmann::ordered_json;  // encoding: "Type" first, then the wire order

// --- encoding --------------------------------------------------------------------------------

template <class T>
OrderedJson to_json_value(const T& v) {
  if constexpr (wire::IsFixedString<T>::value) {
    return OrderedJson(std::string(v.view()));
  } else if constexpr (std::is_enum_v<T>) {
    return to_json_value(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) return OrderedJson(nullptr);  // JSON has no NaN or infinity
    return OrderedJson(static_cast<double>(v));
  } else if constexpr (std::is_signed_v<T>) {
    return OrderedJson(static_cast<std::int64_t>(v));
  } else {
    return OrderedJson(static_cast<std::uint64_t>(v));
  }
}

void append_text(const OrderedJson& j, std::vector<std::uint8_t>& out) {
  // ignore: text fields holding bytes that are not UTF-8 lose those bytes instead of throwing.
  const std::string text = j.dump(-1, ' ', false, OrderedJson::error_handler_t::ignore);
  out.insert(out.end(), text.begin(), text.end());
  out.push_back(0);
}

template <KnownMessage M>
void encode_json_as(const M& m, bool compact, std::vector<std::uint8_t>& out) {
  OrderedJson j = OrderedJson::object();
  j["Type"] = M::kType;
  if (compact) {
    OrderedJson values = OrderedJson::array();
    M::for_each_field(m, [&values](std::string_view, std::size_t, const auto& field) {
      values.push_back(to_json_value(field));
    });
    j["F"] = std::move(values);
  } else {
    M::for_each_field(m, [&j](std::string_view name, std::size_t, const auto& field) {
      j[std::string(name)] = to_json_value(field);
    });
  }
  append_text(j, out);
}

void encode_unknown(const UnknownMessage& m, bool compact, std::vector<std::uint8_t>& out) {
  OrderedJson j = OrderedJson::object();
  j["Type"] = m.type;
  if (compact) j["F"] = OrderedJson::array();
  append_text(j, out);
}

// --- decoding --------------------------------------------------------------------------------

// A value for an error message: short, and never a secret.
std::string shown(const Json& v, std::string_view field) {
  if (field.find("Password") != std::string_view::npos) return "<redacted>";
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 48) text = text.substr(0, 45) + "...";
  return text;
}

template <class I>
std::string integer_range() {
  if constexpr (std::is_signed_v<I>) {
    return fmt::format("an integer in [{}, {}]", static_cast<std::int64_t>(std::numeric_limits<I>::min()),
                       static_cast<std::int64_t>(std::numeric_limits<I>::max()));
  } else {
    return fmt::format("an integer in [0, {}]", static_cast<std::uint64_t>(std::numeric_limits<I>::max()));
  }
}

// A JSON integer (or an integral number, or a boolean) that fits I.
template <class I>
bool to_integer(const Json& v, I& out) {
  using Limits = std::numeric_limits<I>;
  if (v.is_boolean()) {
    out = static_cast<I>(v.get<bool>() ? 1 : 0);
    return true;
  }
  if (v.is_number_unsigned()) {  // tested first: is_number_integer() is true for unsigned too
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(Limits::max())) return false;
    out = static_cast<I>(u);
    return true;
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<I>) {
      if (i < 0 || static_cast<std::uint64_t>(i) > static_cast<std::uint64_t>(Limits::max())) return false;
    } else {
      if (i < static_cast<std::int64_t>(Limits::min()) || i > static_cast<std::int64_t>(Limits::max()))
        return false;
    }
    out = static_cast<I>(i);
    return true;
  }
  if (v.is_number_float()) {  // 1.0 or 1e3 are integers too; 1.5 is not
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::trunc(d)) return false;
    constexpr int kBits = Limits::digits + (std::is_signed_v<I> ? 1 : 0);
    const double bound = std::ldexp(1.0, std::is_signed_v<I> ? kBits - 1 : kBits);  // exclusive
    if (d >= bound || d < (std::is_signed_v<I> ? -bound : 0.0)) return false;
    out = static_cast<I>(d);
    return true;
  }
  return false;
}

template <class F>
bool to_floating(const Json& v, F& out) {
  if (!v.is_number()) return false;
  const double d = v.get<double>();
  if constexpr (std::is_same_v<F, float>) {
    constexpr double kMax = std::numeric_limits<float>::max();
    // The shortest text of FLT_MAX ("3.4028235e+38") reads back slightly above it as a double.
    if (std::fabs(d) > kMax) {
      if (!(std::fabs(d) <= kMax * (1.0 + std::ldexp(1.0, -24)))) return false;
      out = d > 0 ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max();
      return true;
    }
  }
  out = static_cast<F>(d);
  return true;
}

// Reads one field; an error says what was expected (the caller adds message, field and value).
template <class T>
std::optional<std::string> read_value(const Json& v, T& field) {
  if constexpr (wire::IsFixedString<T>::value) {
    if (!v.is_string()) return std::string("expected a string");
    const auto& text = v.get_ref<const std::string&>();
    if (text.find('\0') != std::string::npos) return std::string("text contains a NUL character");
    if (!T::fits(text))
      return fmt::format("text of {} bytes is longer than the {} a char[{}] holds", text.size(), T::kCapacity,
                         T::kCapacity + 1);
    field = text;
    return std::nullopt;
  } else if constexpr (std::is_enum_v<T>) {
    using U = std::underlying_type_t<T>;
    U u{};
    if (!to_integer(v, u)) return "expected " + integer_range<U>();
    field = static_cast<T>(u);  // unknown enum values survive, as in binary (§9.7)
    return std::nullopt;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!to_floating(v, field))
      return std::string(std::is_same_v<T, float> ? "expected a number in the range of a float"
                                                  : "expected a number");
    return std::nullopt;
  } else {
    if (!to_integer(v, field)) return "expected " + integer_range<T>();
    return std::nullopt;
  }
}

using DecodeJsonFn = core::Result<Message> (*)(const Json& object, const Json* values);

// values: the compact form's "F" array, else nullptr (named keys of object).
template <KnownMessage M>
core::Result<Message> decode_json_as(const Json& object, const Json* values) {
  M m{};
  std::optional<core::Error> error;
  std::size_t index = 0;
  M::for_each_field(m, [&](std::string_view name, std::size_t, auto& field) {
    const std::size_t i = index++;
    if (error) return;
    const Json* v = nullptr;
    if (values != nullptr) {
      if (i < values->size()) v = &(*values)[i];
    } else if (const auto it = object.find(name); it != object.end()) {
      v = &*it;
    }
    if (v == nullptr || v->is_null()) return;  // absent: the default, like a shorter binary message
    if (auto why = read_value(*v, field)) {
      error = core::Error{fmt::format("DTC JSON {} (Type {}): field {}{}: {}, was {}", M::kName, M::kType,
                                      values != nullptr ? fmt::format("F[{}] ", i) : std::string(), name,
                                      *why, shown(*v, name))};
    }
  });
  if (error) return *error;
  return Message(std::move(m));
}

constexpr std::size_t kJsonTypeTableSize = 1024;  // as codec.cpp: every type of the spec is below

template <std::size_t... I>
std::array<DecodeJsonFn, kJsonTypeTableSize> make_json_table(std::index_sequence<I...>) {
  std::array<DecodeJsonFn, kJsonTypeTableSize> table{};
  const auto add = [&table]<class M>(std::type_identity<M>) {
    if constexpr (KnownMessage<M>) table[M::kType] = &decode_json_as<M>;
  };
  (add(std::type_identity<std::variant_alternative_t<I, Message>>{}), ...);
  return table;
}

const std::array<DecodeJsonFn, kJsonTypeTableSize>& json_table() {
  static const auto table = make_json_table(std::make_index_sequence<std::variant_size_v<Message>>{});
  return table;
}

// True when text opens more than `limit` objects/arrays inside each other (strings skipped).
bool nests_deeper_than(std::string_view text, int limit) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

std::string_view type_name_of(const Json& j) {
  return j.type_name();  // "array", "string", "number", ...
}

core::Result<Message> decode_json_impl(std::string_view text, Encoding* form) {
  if (nests_deeper_than(text, kMaxJsonDepth))
    return core::Error{
        fmt::format("DTC JSON message of {} bytes nests objects or arrays deeper than {} levels", text.size(),
                    kMaxJsonDepth)};
  Json j;
  try {
    j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Json::parse_error& e) {
    // Not e.what(): it quotes the input, which may hold a password.
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    const bool looks_binary = first == std::string_view::npos || text[first] != '{';
    return core::Error{fmt::format(
        "DTC JSON message of {} bytes is not valid JSON: syntax error at byte {}{}", text.size(), e.byte,
        looks_binary ? " (it does not start with '{': a binary message in a JSON "
                       "session?)"
                     : "")};
  } catch (const Json::out_of_range&) {
    return core::Error{
        fmt::format("DTC JSON message of {} bytes is not valid JSON: a number is out of range", text.size())};
  }
  if (!j.is_object())
    return core::Error{fmt::format("DTC JSON message of {} bytes is a JSON {}, not an object", text.size(),
                                   type_name_of(j))};
  const auto type_it = j.find("Type");
  if (type_it == j.end() || type_it->is_null())
    return core::Error{fmt::format("DTC JSON message of {} bytes has no \"Type\"", text.size())};
  std::uint16_t type = 0;
  if (!to_integer(*type_it, type))
    return core::Error{fmt::format("DTC JSON message: field Type: expected {}, was {}",
                                   integer_range<std::uint16_t>(), shown(*type_it, "Type"))};
  const Json* values = nullptr;
  if (const auto f = j.find("F"); f != j.end()) {
    if (!f->is_array())
      return core::Error{
          fmt::format("DTC JSON {} (Type {}): field F: expected the compact form's array, was {}",
                      message_name(type), type, shown(*f, "F"))};
    values = &*f;
  }
  if (form != nullptr) *form = values != nullptr ? Encoding::kJsonCompact : Encoding::kJson;
  const DecodeJsonFn fn = type < kJsonTypeTableSize ? json_table()[type] : nullptr;
  if (fn == nullptr)
    return Message(
        UnknownMessage{type, static_cast<std::uint16_t>(std::min<std::size_t>(text.size(), 65535))});
  return fn(j, values);
}

}  // namespace

void encode_json_into(const Message& m, Encoding form, std::vector<std::uint8_t>& out) {
  DT_ASSERT(is_json(form), "encode_json_into needs JSON_ENCODING or JSON_COMPACT_ENCODING");
  const bool compact = form == Encoding::kJsonCompact;
  std::visit(
      [&]<class M>(const M& x) {
        if constexpr (KnownMessage<M>) {
          encode_json_as(x, compact, out);
        } else {
          encode_unknown(x, compact, out);
        }
      },
      m);
}

std::vector<std::uint8_t> encode_json(const Message& m, Encoding form) {
  std::vector<std::uint8_t> out;
  encode_json_into(m, form, out);
  return out;
}

void encode_into(const Message& m, Encoding encoding, std::vector<std::uint8_t>& out) {
  if (is_json(encoding)) {
    encode_json_into(m, encoding, out);
  } else {
    encode_into(m, out);
  }
}

core::Result<Message> decode_json(std::string_view text, Encoding* form) noexcept {
  try {
    return decode_json_impl(text, form);
  } catch (const std::exception& e) {  // allocation failure; nothing in the parse path throws otherwise
    return core::Error{
        fmt::format("DTC JSON message of {} bytes could not be decoded: {}", text.size(), e.what())};
  }
}

void transcode_binary_frames(std::span<const std::uint8_t> frames, Encoding encoding,
                             std::vector<std::uint8_t>& out) {
  if (!is_json(encoding)) {
    out.insert(out.end(), frames.begin(), frames.end());
    return;
  }
  std::size_t pos = 0;
  while (pos < frames.size()) {
    DT_ASSERT(frames.size() - pos >= kHeaderSize, "transcode_binary_frames: a partial header");
    const std::uint16_t size = wire::load_u16(frames.data() + pos);
    DT_ASSERT(size >= kHeaderSize && size <= frames.size() - pos, "transcode_binary_frames: a partial frame");
    encode_json_into(decode_frame(frames.subspan(pos, size)), encoding, out);
    pos += size;
  }
}

}  // namespace daytrader::dtc
