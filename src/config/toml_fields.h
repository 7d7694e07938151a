#pragma once
// The machinery every config file shares: a Schema lists the sections and, in each, the Fields
// that bind a TOML key to a struct member. A Field reads its key (checking type and range and
// naming the file, line, column, key and value when it refuses one) and writes it back, so a
// config parses into plain structs and prints as the TOML that parses back to them.
//
//   config::Schema schema{{{"server", {config::int_field("port", s.port, 1, 65535)}}}, "server.port=11099"};
//   auto root = config::parse_toml(text, "live.toml");            // syntax errors cite line:column
//   auto st = config::apply_table(*root, "live.toml", schema);     // unknown keys are errors
//   st = config::apply_overrides({"server.port=11100"}, schema);   // --set, before validation
//
// A Schema holds references into the struct it was built from: build it from the object being
// filled, use it, and drop it with that object.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/result.h"
#include "core/session_calendar.h"
#include "core/ticks.h"
#include "core/timestamp.h"

namespace daytrader::config {

// Reads one TOML value into the bound member; `where` prefixes every message
// ("live.toml:3:8: server.port" or "--set server.port=0").
using Setter = std::function<core::Status(const toml::node&, const std::string& where)>;
// Writes the bound member into its section's table under the field's name.
using Getter = std::function<void(toml::table&)>;

struct Field {
  std::string name;
  Setter set;
  Getter get;
};

struct Section {
  std::string name;
  std::vector<Field> fields;
  [[nodiscard]] const Field* find(std::string_view key) const;
  [[nodiscard]] std::string known_keys() const;  // "window_start, window_end, ..."
};

struct Schema {
  std::vector<Section> sections;
  std::string override_example;  // shown when a --set is malformed: "ppo.n_steps=256"
  [[nodiscard]] const Section* find(std::string_view section) const;
};

// "<where>: expected <expected>, got <the value as TOML>".
[[nodiscard]] core::Error type_error(const std::string& where, std::string_view expected,
                                     const toml::node& n);

// "<source>:<line>:<column>".
[[nodiscard]] std::string location(const std::string& source, const toml::source_region& r);

// An integer of any width, range-checked before it is narrowed.
template <typename I>
[[nodiscard]] Field int_field(std::string name, I& ref, std::int64_t lo, std::int64_t hi) {
  return {name,
          [&ref, lo, hi](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value_exact<std::int64_t>();
            if (!v) return type_error(where, "an integer", n);
            if (*v < lo || *v > hi)
              return core::Error{fmt::format("{}: {} is outside {}..{}", where, *v, lo, hi)};
            ref = static_cast<I>(*v);
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, static_cast<std::int64_t>(ref)); }};
}

// A finite number; integers are accepted.
[[nodiscard]] Field double_field(std::string name, double& ref);
// An optional number: a value, or false for none.
[[nodiscard]] Field optional_double_field(std::string name, std::optional<double>& ref);
[[nodiscard]] Field bool_field(std::string name, bool& ref);
// Any string, the empty one included (a config's validate() says which may not be empty).
[[nodiscard]] Field string_field(std::string name, std::string& ref);
// Money in dollars with at most two decimals, stored as cents.
[[nodiscard]] Field dollars_field(std::string name, core::Cents& ref);
// An exchange time of day, "08:30" or "14:30:00".
[[nodiscard]] Field time_field(std::string name, core::LocalTimeOfDay& ref);
// A duration written as a number of seconds (5, 2.5), kept as nanoseconds, at most 1e9 s.
enum class SecondsBound : std::uint8_t { kPositive, kNonNegative };  // > 0 or >= 0
[[nodiscard]] Field seconds_field(std::string name, core::Nanoseconds& ref, SecondsBound bound);
// A duration written as a whole number of milliseconds, range-checked like int_field.
[[nodiscard]] Field milliseconds_field(std::string name, std::chrono::milliseconds& ref, std::int64_t lo,
                                       std::int64_t hi);
// A non-empty list of layer sizes, each 1..65536: [64, 64].
[[nodiscard]] Field int_list_field(std::string name, std::vector<std::int64_t>& ref);

// A string naming an enum value. `parse(text)` returns core::Result<E> whose error says what is
// allowed; `show(value)` gives the text back.
template <typename E, typename Parse, typename Show>
[[nodiscard]] Field enum_field(std::string name, E& ref, Parse parse, Show show) {
  return {name,
          [&ref, parse](const toml::node& n, const std::string& where) -> core::Status {
            const auto s = n.value_exact<std::string>();
            if (!s) return type_error(where, "a string", n);
            auto v = parse(*s);
            if (!v) return core::Error{fmt::format("{}: {}", where, v.error().message)};
            ref = *v;
            return {};
          },
          [name, &ref, show](toml::table& t) { t.insert_or_assign(name, std::string(show(ref))); }};
}

// Parses TOML text; a syntax error cites "<source>:<line>:<column>: <what>" and, with `error_at`,
// is also stored there.
[[nodiscard]] core::Result<toml::table> parse_toml(std::string_view text, const std::string& source,
                                                   toml::source_position* error_at = nullptr);

// Applies every key of `root` to the schema's fields. Only the schema's sections may appear and
// only their fields within them: anything else is an error citing its line and column and
// listing what is known.
[[nodiscard]] core::Status apply_table(const toml::table& root, const std::string& source,
                                       const Schema& schema);

// One `--set section.key=value` override, split but not yet applied.
struct Override {
  std::string section;
  std::string key;
  std::string value;  // TOML value text: 42, 3e-4, true, [64, 64], "x"; a bare word is a string
};
[[nodiscard]] core::Result<Override> parse_override(const std::string& text, const Schema& schema);

// Applies one override ("ppo.n_steps=256") or several in order; messages start "--set <text>".
[[nodiscard]] core::Status apply_override(const std::string& text, const Schema& schema);
[[nodiscard]] core::Status apply_overrides(const std::vector<std::string>& overrides, const Schema& schema);

// Checks the values the schema's fields hold now by the rules a file would meet (type, range),
// for structs built in code: each value is written as TOML and read back. Messages start
// "section.key: ".
[[nodiscard]] core::Status check_fields(const Schema& schema);

// Every field of every section as TOML text ending in a newline; toml++ orders the sections and
// the keys by name.
[[nodiscard]] std::string to_toml(const Schema& schema);

// A configuration file is a few kilobytes; anything above this is refused unread.
inline constexpr std::size_t kMaxConfigFileBytes = 1 << 20;
// The whole file; "<path>: cannot open" when it cannot be read, an error naming the limit when it
// is larger than kMaxConfigFileBytes (a device such as /dev/zero included).
[[nodiscard]] core::Result<std::string> read_text_file(const std::string& path);

}  // namespace daytrader::config
