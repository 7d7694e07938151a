#include "config/live_config.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "config/toml_fields.h"
#include "core/instrument_table.h"

namespace daytrader::config {

std::string_view to_string(DataSource s) noexcept {
  switch (s) {
    case DataSource::kDtc:
      return "dtc";
    case DataSource::kScid:
      return "scid";
  }
  return "?";
}

std::string_view to_string(ClockSource c) noexcept {
  switch (c) {
    case ClockSource::kSystem:
      return "system";
    case ClockSource::kFeed:
      return "feed";
  }
  return "?";
}

core::Result<DataSource> parse_data_source(std::string_view text) {
  if (text == "dtc") return DataSource::kDtc;
  if (text == "scid") return DataSource::kScid;
  return core::Error{fmt::format("\"{}\" is not a market data source; expected \"dtc\" or \"scid\"", text)};
}

core::Result<ClockSource> parse_clock_source(std::string_view text) {
  if (text == "system") return ClockSource::kSystem;
  if (text == "feed") return ClockSource::kFeed;
  return core::Error{fmt::format("\"{}\" is not a clock; expected \"system\" or \"feed\"", text)};
}

namespace {

constexpr const char* kCredentials =
    "credentials belong in the environment or .env (DTC_USERNAME, DTC_PASSWORD), not in the config";

// A key that looks like a credential: its name contains "password" or "username", in any case.
bool is_credential_key(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return lower.find("password") != std::string::npos || lower.find("username") != std::string::npos;
}

struct FoundKey {
  std::string path;  // "server.password"
  toml::source_region where;
};

std::optional<FoundKey> find_credential_key(const toml::node& node, const std::string& prefix);

std::optional<FoundKey> find_credential_key(const toml::table& table, const std::string& prefix) {
  for (const auto& [key, value] : table) {
    const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (is_credential_key(key.str())) return FoundKey{path, key.source()};
    if (auto found = find_credential_key(value, path)) return found;
  }
  return std::nullopt;
}

std::optional<FoundKey> find_credential_key(const toml::node& node, const std::string& prefix) {
  if (const auto* t = node.as_table()) return find_credential_key(*t, prefix);
  if (const auto* a = node.as_array())
    for (const auto& e : *a)
      if (auto found = find_credential_key(e, prefix)) return found;
  return std::nullopt;
}

// After a syntax error on `line`: the credentials error when that line starts with a credential
// key (`password = hunter2`, unquoted), so the rule is named and nothing of the line is shown.
std::optional<core::Error> credential_key_on_line(std::string_view text, std::size_t line,
                                                  const std::string& source) {
  std::size_t begin = 0;
  for (std::size_t n = 1; n < line && begin != std::string_view::npos; ++n) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (line == 0 || begin == std::string_view::npos) return std::nullopt;
  const std::string_view content = text.substr(begin, text.find('\n', begin) - begin);
  const std::size_t key_start = content.find_first_not_of(" \t");
  if (key_start == std::string_view::npos) return std::nullopt;
  if (!is_credential_key(content.substr(key_start, content.find('=', key_start) - key_start)))
    return std::nullopt;
  return core::Error{fmt::format("{}:{}:{}: {}", source, line, key_start + 1, kCredentials)};
}

Schema schema_of(LiveConfig& c) {
  Schema s;
  s.override_example = "risk.max_trades_per_day=10";
  auto& sv = c.server;
  s.sections.push_back({"server",
                        {
                            string_field("host", sv.host),
                            int_field("port", sv.port, 1, 65535),
                            string_field("env_file", sv.env_file),
                            int_field("heartbeat_s", sv.heartbeat_s, 1, 300),
                            seconds_field("connect_timeout_s", sv.connect_timeout, SecondsBound::kPositive),
                            bool_field("reconnect", sv.reconnect),
                        }});
  auto& m = c.market;
  s.sections.push_back(
      {"market",
       {
           string_field("symbol", m.symbol),
           string_field("exchange", m.exchange),
           enum_field("source", m.source, parse_data_source, [](DataSource v) { return to_string(v); }),
           string_field("scid_path", m.scid_path),
           milliseconds_field("scid_poll_ms", m.scid_poll, 1, 10'000),
           enum_field("clock", m.clock, parse_clock_source, [](ClockSource v) { return to_string(v); }),
           int_field("warmup_sessions", m.warmup_sessions, 0, 5),
       }});
  auto& a = c.account;
  s.sections.push_back({"account",
                        {
                            string_field("trade_account", a.trade_account),
                            int_field("max_position", a.max_position, 1, 100),
                        }});
  auto& md = c.model;
  s.sections.push_back({"model",
                        {
                            string_field("folder", md.folder),
                            bool_field("deterministic", md.deterministic),
                            int_field("seed", md.seed, 0, INT64_MAX),
                        }});
  auto& r = c.risk;
  s.sections.push_back(
      {"risk",
       {
           int_field("max_orders_per_day", r.max_orders_per_day, 1, 10'000),
           int_field("max_trades_per_day", r.max_trades_per_day, 1, 10'000),
           seconds_field("order_ack_timeout_s", r.order_ack_timeout, SecondsBound::kPositive),
           seconds_field("bracket_ack_timeout_s", r.bracket_ack_timeout, SecondsBound::kPositive),
           seconds_field("stale_feed_s", r.stale_feed, SecondsBound::kPositive),
           seconds_field("flatten_timeout_s", r.flatten_timeout, SecondsBound::kPositive),
           string_field("kill_file", r.kill_file),
           bool_field("flatten_on_exit", r.flatten_on_exit),
       }});
  auto& rn = c.run;
  s.sections.push_back({"run",
                        {
                            string_field("dir", rn.dir),
                            bool_field("session_end_exit", rn.session_end_exit),
                            seconds_field("max_runtime_s", rn.max_runtime, SecondsBound::kNonNegative),
                        }});
  return s;
}

// A --set naming a credential is refused before anything else, and without its value.
core::Status refuse_credential_override(const std::string& text) {
  const std::string name = text.substr(0, text.find('='));
  if (is_credential_key(name)) return core::Error{fmt::format("--set {}: {}", name, kCredentials)};
  return {};
}

}  // namespace

core::Status validate(const LiveConfig& config) {
  LiveConfig copy = config;
  if (auto st = check_fields(schema_of(copy)); !st) return st;
  const auto& c = config;
  if (c.server.host.empty())
    return core::Error{"server.host is empty; expected a host name or address like 127.0.0.1"};
  if (c.market.symbol.empty()) return core::Error{"market.symbol is required: the contract, like \"ESZ25\""};
  // A symbol of a known instrument (ESZ25-CME, MNQH26, ES-synthetic); `live` also refuses one whose
  // root is not the model's.
  if (auto sym = core::parse_symbol(c.market.symbol); !sym) return core::Error{"market." + sym.error().message};
  if (c.market.source == DataSource::kScid && c.market.scid_path.empty())
    return core::Error{"market.scid_path is required when market.source = \"scid\""};
  if (c.market.source == DataSource::kDtc && !c.market.scid_path.empty())
    return core::Error{
        fmt::format("market.scid_path = \"{}\" is not read when market.source = \"dtc\"; remove it or set "
                    "market.source = \"scid\"",
                    c.market.scid_path)};
  if (c.model.folder.empty())
    return core::Error{"model.folder is required: the model folder `daytrader train` wrote"};
  if (c.risk.kill_file.empty())
    return core::Error{"risk.kill_file is empty; the kill switch needs a file name, like \"KILL\""};
  if (c.run.dir.empty()) return core::Error{"run.dir is required: the run folder for the journal and logs"};
  return {};
}

core::Result<LiveConfig> parse_live_config(std::string_view text, const std::string& source,
                                           const std::vector<std::string>& overrides) {
  LiveConfig config;
  const Schema schema = schema_of(config);
  if (!text.empty()) {
    toml::source_position error_at{};
    auto root = parse_toml(text, source, &error_at);
    if (!root) {
      if (auto refused = credential_key_on_line(text, error_at.line, source)) return *refused;
      return root.error();
    }
    if (auto found = find_credential_key(*root, ""))
      return core::Error{
          fmt::format("{}: {}: {}", location(source, found->where), found->path, kCredentials)};
    if (auto st = apply_table(*root, source, schema); !st) return st.error();
  }
  for (const auto& o : overrides) {
    if (auto st = refuse_credential_override(o); !st) return st.error();
    if (auto st = apply_override(o, schema); !st) return st.error();
  }
  if (auto st = validate(config); !st) return core::Error{fmt::format("{}: {}", source, st.error().message)};
  return config;
}

core::Result<LiveConfig> load_live_config(const std::string& path,
                                          const std::vector<std::string>& overrides) {
  if (path.empty()) return parse_live_config({}, "defaults", overrides);
  auto text = read_text_file(path);
  if (!text) return text.error();
  return parse_live_config(*text, path, overrides);
}

std::string to_toml(const LiveConfig& config) {
  LiveConfig copy = config;
  return to_toml(schema_of(copy));
}

std::filesystem::path kill_file_path(const LiveConfig& config) {
  const std::filesystem::path kill(config.risk.kill_file);
  if (kill.is_absolute()) return kill;
  return std::filesystem::path(config.run.dir) / kill;
}

}  // namespace daytrader::config
