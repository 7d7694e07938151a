// The entry of daytrader-train.so (train/plugin_api.h).

#include <exception>

#include "train/plugin_api.h"

namespace {

std::string run_cross_validation(const daytrader::config::RunConfig& run, const daytrader::dataset::Dataset& data,
                                 const daytrader::train::CvOptions& options,
                                 std::vector<daytrader::train::FoldOutcome>& outcomes) {
  try {
    outcomes = daytrader::train::run_cross_validation(run, data, options);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "training failed with an exception that is not a std::exception";
  }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const daytrader::train::PluginApi* daytrader_train_plugin_api() {
  static const daytrader::train::PluginApi api{
      .abi_version = daytrader::train::kPluginAbiVersion,
      .daytrader_version = DAYTRADER_VERSION,
      .layout = {},
      .run_cross_validation = &run_cross_validation,
  };
  return &api;
}
