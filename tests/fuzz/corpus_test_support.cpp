#include "corpus_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace daytrader::fuzz::testing {

namespace fs = std::filesystem;

fs::path corpus_dir(std::string_view target) {
  return fs::path(DAYTRADER_FUZZ_CORPUS_DIR) / target;
}

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes to_bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

std::string to_string(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

void expect_seed_files(std::string_view target, const Seeds& seeds) {
  const char* env = std::getenv("DT_UPDATE_GOLDEN");
  const bool update = env != nullptr && std::string(env) == "1";
  const fs::path dir = corpus_dir(target);
  for (const auto& [name, bytes] : seeds) {
    SCOPED_TRACE(name);
    const fs::path path = dir / name;
    if (update) {
      fs::create_directories(dir);
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: byte I/O
                 static_cast<std::streamsize>(bytes.size()));
    }
    ASSERT_TRUE(fs::exists(path)) << "missing seed " << path << "; regenerate with DT_UPDATE_GOLDEN=1";
    EXPECT_EQ(read_file(path), bytes) << "stale seed " << path << "; regenerate with DT_UPDATE_GOLDEN=1";
  }
}

void expect_corpus_runs(std::string_view target, Entry entry, std::size_t min_files) {
  const fs::path dir = corpus_dir(target);
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::size_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    SCOPED_TRACE(e.path().filename().string());
    const Bytes bytes = read_file(e.path());
    EXPECT_EQ(entry(bytes.data(), bytes.size()), 0);
    ++files;
  }
  EXPECT_GE(files, min_files);
}

}  // namespace daytrader::fuzz::testing
