#pragma once
// DTC credentials from the environment (DTC_USERNAME, DTC_PASSWORD) or a `.env` file of
// KEY=VALUE lines (STYLE.md: secrets come from the environment or .env, never committed, never
// logged). The environment wins over the file. describe() is the only form fit for a log line.

#include <map>
#include <optional>
#include <string>

#include "core/result.h"

namespace daytrader::net {

struct Credentials {
  std::string username;
  std::string password;

  [[nodiscard]] bool has_password() const noexcept { return !password.empty(); }
};

// `username="trader" password=<set>` (or <empty>): never the password itself.
[[nodiscard]] std::string describe(const Credentials& c);

// Parses KEY=VALUE lines: blank lines and lines starting with # are skipped, an `export ` prefix
// is allowed, whitespace around key and value is trimmed, and a value wrapped in matching single
// or double quotes is unquoted. Errors name the file and line (never the value: it may be a
// secret).
[[nodiscard]] core::Result<std::map<std::string, std::string>> parse_env_file(const std::string& path);

// DTC_USERNAME / DTC_PASSWORD from the environment, else from env_file when it exists (a missing
// file is not an error; a malformed one is).
[[nodiscard]] core::Result<Credentials> load_credentials(const std::string& env_file = ".env");

// Whether the credentials fit LOGON_REQUEST: Username and Password are char[32] fields, so each
// holds at most 31 bytes (dtc.md §2.6); a longer DTC_PASSWORD would be cut and could never log
// on. The error names the variable, its length and the limit, never its value. Clients check this
// before connecting (net::Client does, for its session config), `serve --password-env` at start.
[[nodiscard]] core::Status check_logon_limits(const Credentials& c);

}  // namespace daytrader::net
