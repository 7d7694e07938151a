// Properties checked on arbitrary text, beyond "no crash, no UB, no leak, no hang":
// 1. load_run_config() reads the file from disk and applies the overrides; a refusal names the
//    file (or the --set) it comes from;
// 2. an accepted configuration's effective TOML (to_toml, saved beside every model) parses back
//    to the same configuration.

#include "run_config_fuzz.h"

#include "config/run_config.h"
#include "fuzz_support.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) {
  fuzz::require(ok, "run_config", property);
}

}  // namespace

RunConfigInput split_run_config_input(std::string_view text) {
  const auto parts = split_parts(text, kRunConfigSetMarker);
  RunConfigInput in{parts.front(), {}};
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string_view o = parts[i];
    if (o.ends_with('\n')) o.remove_suffix(1);
    in.overrides.emplace_back(o);
  }
  return in;
}

int run_config_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const RunConfigInput in = split_run_config_input(as_text(data, size));
  const MemFile file(in.file, "run.toml");
  // An empty path means defaults only; the file is read from disk otherwise.
  const std::string path = in.file.empty() ? std::string() : file.path();
  auto config = config::load_run_config(path, in.overrides);
  if (!config) {
    const std::string& m = config.error().message;
    require(m.starts_with(path.empty() ? "defaults: " : path + ":") || m.starts_with("--set "),
            "an error names the file or the --set");
    return 0;
  }
  const std::string effective = config::to_toml(*config);
  auto again = config::parse_run_config(effective, "effective.toml", {});
  require(again.has_value(), "the effective TOML parses");
  require(again->ppo == config->ppo && again->train == config->train,
          "the effective TOML parses back to the same [ppo] and [train]");
  require(config::to_toml(*again) == effective, "the effective TOML parses back to the same configuration");
  return 0;
}

}  // namespace daytrader::fuzz
