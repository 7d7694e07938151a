#include "net/credentials.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dtc/messages_session.h"

namespace daytrader::net {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string describe(const Credentials& c) {
  return fmt::format("username=\"{}\" password={}", c.username, c.has_password() ? "<set>" : "<empty>");
}

core::Result<std::map<std::string, std::string>> parse_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::Error{fmt::format("{}: cannot open the file", path)};
  std::map<std::string, std::string> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string s = trim(line);
    if (s.empty() || s[0] == '#') continue;
    if (s.rfind("export ", 0) == 0) s = trim(s.substr(7));
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      return core::Error{fmt::format("{}: line {}: expected KEY=VALUE", path, number)};
    std::string key = trim(s.substr(0, eq));
    std::string value = trim(s.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    out[key] = value;
  }
  return out;
}

core::Result<Credentials> load_credentials(const std::string& env_file) {
  Credentials c;
  std::map<std::string, std::string> file;
  if (!env_file.empty() && std::filesystem::exists(env_file)) {
    auto parsed = parse_env_file(env_file);
    if (!parsed) return parsed.error();
    file = std::move(parsed).value();
  }
  const auto pick = [&file](const char* key, std::string& into) {
    if (const char* v = std::getenv(key); v != nullptr) {
      into = v;
    } else if (auto it = file.find(key); it != file.end()) {
      into = it->second;
    }
  };
  pick("DTC_USERNAME", c.username);
  pick("DTC_PASSWORD", c.password);
  return c;
}

core::Status check_logon_limits(const Credentials& c) {
  constexpr std::size_t kPasswordMax = decltype(dtc::LogonRequest::password)::kCapacity;
  constexpr std::size_t kUsernameMax = decltype(dtc::LogonRequest::username)::kCapacity;
  if (c.password.size() > kPasswordMax)
    return core::Error{
        fmt::format("DTC_PASSWORD is {} bytes, but the DTC LOGON_REQUEST Password field holds at most {} "
                    "(char[{}] with its "
                    "NUL): it would be cut and could never log on; use a password of at most {} bytes",
                    c.password.size(), kPasswordMax, kPasswordMax + 1, kPasswordMax)};
  if (c.username.size() > kUsernameMax)
    return core::Error{
        fmt::format("DTC_USERNAME is {} bytes, but the DTC LOGON_REQUEST Username field holds at most {} "
                    "(char[{}] with its "
                    "NUL): it would be cut; use a username of at most {} bytes",
                    c.username.size(), kUsernameMax, kUsernameMax + 1, kUsernameMax)};
  return {};
}

}  // namespace daytrader::net
