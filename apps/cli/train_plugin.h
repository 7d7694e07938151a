#pragma once
// Loads the training plugin (train/plugin_api.h) on first use: daytrader-train.so next to the
// running binary, or the file named by DAYTRADER_TRAIN_PLUGIN. Throws DaytraderError naming the
// file and the reason when it is missing or from another build.

#include "train/plugin_api.h"

namespace daytrader::cli {

[[nodiscard]] const train::PluginApi& train_plugin();

}  // namespace daytrader::cli
