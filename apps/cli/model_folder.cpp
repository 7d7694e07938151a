#include "model_folder.h"

#include <fstream>

#include "common.h"

namespace daytrader::cli {

ModelFolder load_model_folder(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) fail("{}: not a model folder (train writes runs/NAME/fold_K)", dir.string());
  for (const char* f : {kScalerFile, kRunConfigFile, kMetadataFile, "policy.bin"})
    if (!std::filesystem::exists(dir / f)) fail("{}: missing {}; is this a folder written by `daytrader train`?", dir.string(), f);
  auto scaler = must(features::Scaler::load((dir / kScalerFile).string()));
  auto config = must(config::load_run_config((dir / kRunConfigFile).string(), {}));
  nlohmann::json meta;
  try {
    std::ifstream in(dir / kMetadataFile);
    meta = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    fail("{}: {}", (dir / kMetadataFile).string(), e.what());
  }
  return ModelFolder{dir, std::move(config), std::move(scaler), std::move(meta)};
}

}  // namespace daytrader::cli
