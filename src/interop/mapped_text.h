#pragma once
// A text file mapped read-only, for the CSV readers: the whole file as one string_view.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace daytrader::interop {

class MappedText {
 public:
  // Maps `path` (an empty file gives empty text); errors name the file and the reason.
  [[nodiscard]] static core::Result<MappedText> open(const std::string& path);

  MappedText(MappedText&& other) noexcept : map_(other.map_), size_(other.size_) {
    other.map_ = nullptr;
    other.size_ = 0;
  }
  MappedText& operator=(MappedText&&) = delete;
  MappedText(const MappedText&) = delete;
  MappedText& operator=(const MappedText&) = delete;
  ~MappedText();

  [[nodiscard]] std::string_view text() const noexcept {
    return map_ == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(map_), size_);
  }

 private:
  MappedText(void* map, std::size_t size) : map_(map), size_(size) {}
  void* map_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace daytrader::interop
