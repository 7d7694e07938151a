#pragma once
// Helpers the fuzz entry functions share (no gtest: they link into the libFuzzer executables).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace daytrader::fuzz {

// Stops the run when a property beyond "no crash, no UB, no leak" fails: libFuzzer records the
// input as a crash. `target` and `property` are printed.
void require(bool ok, const char* target, const char* property);

// The input as a file for readers that only open paths: an anonymous memory file (memfd), so
// runs in parallel never share a name and nothing is left on disk. path() is /proc/self/fd/N.
class MemFile {
 public:
  MemFile(std::span<const std::uint8_t> bytes, const char* name);
  explicit MemFile(std::string_view bytes, const char* name)
      : MemFile(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), name) {}
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  ~MemFile();
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// The parts of `text` between occurrences of `separator` (one part when there is none).
[[nodiscard]] std::vector<std::string_view> split_parts(std::string_view text, std::string_view separator);

// A zip archive of uncompressed (stored) members with correct CRC-32s, as torch.save and
// Stable-Baselines3 write them.
[[nodiscard]] std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members);

[[nodiscard]] inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace daytrader::fuzz
