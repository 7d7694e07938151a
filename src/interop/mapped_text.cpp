#include "interop/mapped_text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace daytrader::interop {

core::Result<MappedText> MappedText::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return core::Error{fmt::format("{}: cannot stat: {}", path, std::strerror(err))};
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedText(nullptr, 0);
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (map == MAP_FAILED) return core::Error{fmt::format("{}: cannot map: {}", path, std::strerror(err))};
  ::madvise(map, size, MADV_SEQUENTIAL);
  return MappedText(map, size);
}

MappedText::~MappedText() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

}  // namespace daytrader::interop
