#include "scid/writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "scid/reader.h"

namespace daytrader::scid {

namespace {
constexpr std::size_t kBufferRecords = 1 << 14;

core::Error io_error(const std::string& path, const char* what) {
  return core::Error{fmt::format("{}: {}: {}", path, what, std::strerror(errno))};
}
}  // namespace

core::Result<Writer> Writer::open(const std::string& path, Mode mode) {
  Writer w;
  w.path_ = path;
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
  if (mode == Mode::kAppend && exists) {
    auto reader = Reader::open(path);
    if (!reader) return reader.error();
    w.existing_ = reader->size();
    w.warnings_ = reader->warnings();
    if (w.existing_ > 0) w.last_time_ = reader->records().back().date_time;
    const auto keep = static_cast<off_t>(reader->header().header_size + w.existing_ * kRecordSize);
    if (reader->trailing_bytes() != 0 && ::truncate(path.c_str(), keep) != 0)
      return io_error(path, "cannot drop the partial trailing record");
    w.f_ = std::fopen(path.c_str(), "ab");
    if (w.f_ == nullptr) return io_error(path, "cannot open for appending");
  } else {
    w.f_ = std::fopen(path.c_str(), "wb");
    if (w.f_ == nullptr) return io_error(path, "cannot create");
    const Header h{};
    if (std::fwrite(&h, sizeof h, 1, w.f_) != 1) return io_error(path, "cannot write the header");
  }
  w.buffer_.reserve(kBufferRecords);
  return w;
}

Writer::Writer(Writer&& o) noexcept { *this = std::move(o); }

Writer& Writer::operator=(Writer&& o) noexcept {
  if (this != &o) {
    (void)close();
    path_ = std::move(o.path_);
    f_ = std::exchange(o.f_, nullptr);
    buffer_ = std::move(o.buffer_);
    existing_ = o.existing_;
    written_ = o.written_;
    last_time_ = o.last_time_;
    warnings_ = std::move(o.warnings_);
  }
  return *this;
}

Writer::~Writer() { (void)close(); }

void Writer::append(const Record& r) {
  buffer_.push_back(r);
  last_time_ = r.date_time;
  if (buffer_.size() >= kBufferRecords) (void)flush();
}

void Writer::append(std::span<const Record> rs) {
  for (const Record& r : rs) append(r);
}

core::Status Writer::flush() {
  if (f_ == nullptr) return core::Error{fmt::format("{}: writer is closed", path_)};
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), sizeof(Record), buffer_.size(), f_) != buffer_.size())
      return io_error(path_, "cannot write records");
    written_ += buffer_.size();
    buffer_.clear();
  }
  if (std::fflush(f_) != 0) return io_error(path_, "cannot flush");
  return {};
}

core::Status Writer::close() {
  if (f_ == nullptr) return {};
  core::Status s = flush();
  if (std::fclose(f_) != 0 && s) s = io_error(path_, "cannot close");
  f_ = nullptr;
  return s;
}

}  // namespace daytrader::scid
