#include "train_plugin.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>

#include "common.h"

namespace daytrader::cli {

namespace {

std::filesystem::path plugin_path() {
  if (const char* env = std::getenv("DAYTRADER_TRAIN_PLUGIN"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) fail("cannot find the training plugin: /proc/self/exe: {}", ec.message());
  return self.parent_path() / "daytrader-train.so";
}

const train::PluginApi& load() {
  const auto path = plugin_path();
  if (!std::filesystem::exists(path))
    fail("{}: the training plugin is missing; it is built next to the daytrader binary (scripts/build.sh), "
         "or set DAYTRADER_TRAIN_PLUGIN to its path", path.string());
  spdlog::debug("Loading {}", path.string());
  // Never unloaded: libtorch does not support being torn down and loaded again in one process.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) fail("{}: cannot load the training plugin: {}", path.string(), ::dlerror());
  void* symbol = ::dlsym(handle, kDaytraderTrainPluginSymbol);
  if (symbol == nullptr) fail("{}: not a daytrader training plugin (no {})", path.string(), kDaytraderTrainPluginSymbol);
  const auto* api = reinterpret_cast<const train::PluginApi* (*)()>(symbol)();
  if (api == nullptr || api->abi_version != train::kPluginAbiVersion || api->layout != train::PluginLayout{} ||
      std::strcmp(api->daytrader_version, DAYTRADER_VERSION) != 0 || api->run_cross_validation == nullptr ||
      api->run_sweep == nullptr)
    fail("{}: the training plugin is from another build (version {}, this binary is {}); rebuild both with "
         "scripts/build.sh", path.string(), api == nullptr ? "?" : api->daytrader_version, DAYTRADER_VERSION);
  return *api;
}

}  // namespace

const train::PluginApi& train_plugin() {
  static const train::PluginApi& api = load();
  return api;
}

}  // namespace daytrader::cli
