#include "config/toml_fields.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace daytrader::config {

namespace {
constexpr double kMaxSeconds = 1e9;  // seconds_field: ~31 years, far inside int64 nanoseconds
}  // namespace

const Field* Section::find(std::string_view key) const {
  const Field* found = nullptr;
  for (const auto& f : fields)
    if (f.name == key) found = &f;
  return found;
}

std::string Section::known_keys() const {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

const Section* Schema::find(std::string_view section) const {
  for (const auto& s : sections)
    if (s.name == section) return &s;
  return nullptr;
}

core::Error type_error(const std::string& where, std::string_view expected, const toml::node& n) {
  std::ostringstream shown;
  if (auto s = n.as_string())
    shown << '"' << s->get() << '"';
  else
    n.visit([&](const auto& v) { shown << v; });
  return core::Error{fmt::format("{}: expected {}, got {}", where, expected, shown.str())};
}

std::string location(const std::string& source, const toml::source_region& r) {
  return fmt::format("{}:{}:{}", source, r.begin.line, r.begin.column);
}

Field double_field(std::string name, double& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value<double>();  // integers are accepted as numbers
            if (!v || !n.is_number()) return type_error(where, "a number", n);
            if (!std::isfinite(*v)) return core::Error{fmt::format("{}: {} is not finite", where, *v)};
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref); }};
}

Field optional_double_field(std::string name, std::optional<double>& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            if (auto b = n.value_exact<bool>(); b && !*b) {
              ref.reset();
              return {};
            }
            const auto v = n.value<double>();
            if (!v || !n.is_number() || !std::isfinite(*v))
              return type_error(where, "a number or false (none)", n);
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) {
            if (ref)
              t.insert_or_assign(name, *ref);
            else
              t.insert_or_assign(name, false);
          }};
}

Field bool_field(std::string name, bool& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value_exact<bool>();
            if (!v) return type_error(where, "true or false", n);
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref); }};
}

Field string_field(std::string name, std::string& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value_exact<std::string>();
            if (!v) return type_error(where, "a string", n);
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref); }};
}

Field seconds_field(std::string name, core::Nanoseconds& ref, SecondsBound bound) {
  return {name,
          [&ref, bound](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value<double>();
            if (!v || !n.is_number()) return type_error(where, "a number of seconds", n);
            if (!std::isfinite(*v)) return core::Error{fmt::format("{}: {} is not finite", where, *v)};
            if (*v > kMaxSeconds)
              return core::Error{fmt::format("{}: {} is more than {} seconds", where, *v, kMaxSeconds)};
            const core::Nanoseconds ns{std::llround(*v * 1e9)};
            if (bound == SecondsBound::kPositive && ns.count() <= 0)
              return core::Error{fmt::format("{}: {} is not > 0", where, *v)};
            if (bound == SecondsBound::kNonNegative && ns.count() < 0)
              return core::Error{fmt::format("{}: {} is not >= 0", where, *v)};
            ref = ns;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, static_cast<double>(ref.count()) / 1e9); }};
}

Field milliseconds_field(std::string name, std::chrono::milliseconds& ref, std::int64_t lo, std::int64_t hi) {
  return {name,
          [&ref, lo, hi](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value_exact<std::int64_t>();
            if (!v) return type_error(where, "a whole number of milliseconds", n);
            if (*v < lo || *v > hi)
              return core::Error{fmt::format("{}: {} is outside {}..{}", where, *v, lo, hi)};
            ref = std::chrono::milliseconds{*v};
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, static_cast<std::int64_t>(ref.count())); }};
}

Field dollars_field(std::string name, core::Cents& ref) {
  return {
      name,
      [&ref](const toml::node& n, const std::string& where) -> core::Status {
        const auto v = n.value<double>();
        if (!v || !n.is_number()) return type_error(where, "an amount in dollars", n);
        const double cents = *v * 100.0;
        if (!std::isfinite(cents) || std::fabs(cents - std::round(cents)) > 1e-6 || std::fabs(cents) > 1e15)
          return core::Error{fmt::format("{}: {} is not a dollar amount in whole cents", where, *v)};
        ref = static_cast<core::Cents>(std::llround(cents));
        return {};
      },
      [name, &ref](toml::table& t) { t.insert_or_assign(name, static_cast<double>(ref) / 100.0); }};
}

Field time_field(std::string name, core::LocalTimeOfDay& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto s = n.value_exact<std::string>();
            if (!s) return type_error(where, "an exchange time like \"08:30\"", n);
            const auto t = core::LocalTimeOfDay::parse(*s);
            if (!t)
              return core::Error{fmt::format("{}: \"{}\" is not a time like 08:30 or 14:30:00", where, *s)};
            ref = *t;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref.to_string()); }};
}

Field int_list_field(std::string name, std::vector<std::int64_t>& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto* a = n.as_array();
            if (a == nullptr || a->empty())
              return type_error(where, "a list of layer sizes like [64, 64]", n);
            std::vector<std::int64_t> out;
            for (const auto& e : *a) {
              const auto v = e.value_exact<std::int64_t>();
              if (!v || *v < 1 || *v > 65536) return type_error(where, "layer sizes between 1 and 65536", n);
              out.push_back(*v);
            }
            ref = std::move(out);
            return {};
          },
          [name, &ref](toml::table& t) {
            toml::array a;
            for (auto v : ref) a.push_back(v);
            t.insert_or_assign(name, std::move(a));
          }};
}

core::Result<toml::table> parse_toml(std::string_view text, const std::string& source,
                                     toml::source_position* error_at) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    if (error_at != nullptr) *error_at = e.source().begin;
    return core::Error{fmt::format("{}: {}", location(source, e.source()), e.description())};
  }
}

namespace {

// "[env], [ppo], [train]" or "env, ppo, train".
std::string known_sections(const Schema& schema, bool bracketed) {
  std::string out;
  for (const auto& s : schema.sections)
    out += (out.empty() ? "" : ", ") + (bracketed ? "[" + s.name + "]" : s.name);
  return out;
}

}  // namespace

core::Status apply_table(const toml::table& root, const std::string& source, const Schema& schema) {
  for (const auto& [key, node] : root) {
    const std::string section_name(key.str());
    const Section* section = schema.find(section_name);
    if (section == nullptr || !node.is_table())
      return core::Error{fmt::format("{}: unknown section [{}] (known: {})", location(source, key.source()),
                                     section_name, known_sections(schema, true))};
    for (const auto& [k, v] : *node.as_table()) {
      const std::string name(k.str());
      const Field* field = section->find(name);
      if (field == nullptr)
        return core::Error{fmt::format("{}: unknown key {}.{} (known: {})", location(source, k.source()),
                                       section_name, name, section->known_keys())};
      if (auto st = field->set(v, fmt::format("{}: {}.{}", location(source, v.source()), section_name, name));
          !st)
        return st;
    }
  }
  return {};
}

core::Result<Override> parse_override(const std::string& text, const Schema& schema) {
  const auto eq = text.find('=');
  const auto dot = text.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq)
    return core::Error{
        fmt::format("--set {}: expected section.key=value, like {}", text, schema.override_example)};
  return Override{text.substr(0, dot), text.substr(dot + 1, eq - dot - 1), text.substr(eq + 1)};
}

core::Status apply_override(const std::string& text, const Schema& schema) {
  auto o = parse_override(text, schema);
  if (!o) return o.error();
  const Section* section = schema.find(o->section);
  if (section == nullptr)
    return core::Error{fmt::format("--set {}: unknown section {} (known: {})", text, o->section,
                                   known_sections(schema, false))};
  const Field* field = section->find(o->key);
  if (field == nullptr)
    return core::Error{fmt::format("--set {}: unknown key {}.{} (known: {})", text, o->section, o->key,
                                   section->known_keys())};
  // One value on one line: text after a newline would otherwise be parsed as more keys and dropped.
  for (const char ch : o->value) {
    if (ch == '\n' || ch == '\r' || ch == '\0')
      return core::Error{fmt::format("--set {}.{}: the value contains a line break or NUL: expected one value "
                                     "on one line", o->section, o->key)};
  }
  // A TOML value (42, 3e-4, true, [64, 64], "x"); a bare word is taken as a string.
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + o->value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", o->value}};
  }
  return field->set(*parsed.get("v"), fmt::format("--set {}", text));
}

core::Status apply_overrides(const std::vector<std::string>& overrides, const Schema& schema) {
  for (const auto& o : overrides)
    if (auto st = apply_override(o, schema); !st) return st;
  return {};
}

core::Status check_fields(const Schema& schema) {
  for (const auto& section : schema.sections) {
    for (const auto& f : section.fields) {
      toml::table t;
      f.get(t);
      if (auto st = f.set(*t.get(f.name), section.name + "." + f.name); !st) return st;
    }
  }
  return {};
}

std::string to_toml(const Schema& schema) {
  toml::table root;
  for (const auto& section : schema.sections) {
    toml::table t;
    for (const auto& f : section.fields) f.get(t);
    root.insert_or_assign(section.name, std::move(t));
  }
  std::ostringstream out;
  out << root << '\n';
  return out.str();
}

core::Result<std::string> read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return core::Error{fmt::format("{}: is a directory, expected a TOML file", path)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error{fmt::format("{}: cannot open", path)};
  // Bounded: a device or a huge file named by mistake (/dev/zero, a dataset) must not be read
  // into memory whole.
  std::string text;
  std::array<char, 64 * 1024> chunk{};
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigFileBytes)
      return core::Error{fmt::format("{}: larger than {} bytes, expected a TOML configuration file", path,
                                     kMaxConfigFileBytes)};
  }
  return text;
}

}  // namespace daytrader::config
