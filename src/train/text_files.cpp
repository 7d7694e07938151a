#include "train/text_files.h"

#include <fstream>
#include <sstream>

#include "core/must.h"

namespace daytrader::train {

void write_text(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp);
    f << text;
    f.close();
    if (!f) core::fail("{}: cannot write", tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path);
  if (!f) core::fail("{}: cannot open", path.string());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void copy_model_files(const std::filesystem::path& from, const std::filesystem::path& to) {
  for (const auto& entry : std::filesystem::directory_iterator(from))
    if (entry.is_regular_file())
      std::filesystem::copy_file(entry.path(), to / entry.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
}

}  // namespace daytrader::train
