#include "scid/reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace daytrader::scid {

namespace {
template <typename T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace

core::Result<Reader> Reader::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return core::Error{fmt::format("{}: cannot stat: {}", path, std::strerror(err))};
  }
  const auto file_size = static_cast<std::size_t>(st.st_size);
  if (file_size < kHeaderSize) {
    ::close(fd);
    return core::Error{fmt::format(
        "{}: offset 0: file has {} bytes, fewer than the 56-byte SCID header (not a SCID file, or "
        "not written yet)", path, file_size)};
  }
  void* map = ::mmap(nullptr, file_size, PROT_READ, MAP_SHARED, fd, 0);
  const int map_err = errno;
  ::close(fd);
  if (map == MAP_FAILED)
    return core::Error{fmt::format("{}: cannot map: {}", path, std::strerror(map_err))};

  Reader r;
  r.path_ = path;
  r.map_ = map;
  r.map_size_ = file_size;
  const auto* bytes = static_cast<const unsigned char*>(map);
  r.header_.magic = load<std::uint32_t>(bytes + 0);
  r.header_.header_size = load<std::uint32_t>(bytes + 4);
  r.header_.record_size = load<std::uint32_t>(bytes + 8);
  r.header_.version = load<std::uint16_t>(bytes + 12);
  r.header_.unused1 = load<std::uint16_t>(bytes + 14);
  r.header_.utc_start_index = load<std::uint32_t>(bytes + 16);

  if (r.header_.magic != kMagic) {
    char shown[5] = {};
    for (int i = 0; i < 4; ++i) {
      const auto c = static_cast<char>(bytes[i]);
      shown[i] = (c >= 32 && c < 127) ? c : '?';
    }
    return core::Error{fmt::format(
        "{}: offset 0: magic is \"{}\" (0x{:08X}), expected \"SCID\" (0x{:08X}): not a Sierra Chart "
        "intraday file", path, shown, r.header_.magic, kMagic)};
  }
  if (r.header_.header_size < kHeaderSize || r.header_.header_size > file_size)
    return core::Error{fmt::format(
        "{}: offset 4: header size is {}, expected at least {} and at most the file size {}", path,
        r.header_.header_size, kHeaderSize, file_size)};
  if (r.header_.record_size != kRecordSize)
    return core::Error{fmt::format("{}: offset 8: record size is {}, expected {}", path,
                                   r.header_.record_size, kRecordSize)};
  if (r.header_.version != kVersion)
    r.warnings_.push_back(fmt::format("{}: offset 12: version is {}, expected {}; reading anyway",
                                      path, r.header_.version, kVersion));

  const std::size_t payload = file_size - r.header_.header_size;
  const std::size_t n = payload / kRecordSize;
  r.trailing_bytes_ = payload % kRecordSize;
  if (r.trailing_bytes_ != 0)
    r.warnings_.push_back(fmt::format(
        "{}: offset {}: ignoring a partial trailing record of {} bytes (writer mid-flush or "
        "truncated copy)", path, r.header_.header_size + n * kRecordSize, r.trailing_bytes_));

  const unsigned char* first = bytes + r.header_.header_size;
  if (reinterpret_cast<std::uintptr_t>(first) % alignof(Record) == 0) {
    r.records_ = std::span<const Record>(reinterpret_cast<const Record*>(first), n);
  } else {
    r.copy_.resize(n);
    if (n > 0) std::memcpy(r.copy_.data(), first, n * kRecordSize);
    r.records_ = r.copy_;
  }
  ::madvise(map, file_size, MADV_SEQUENTIAL);
  return r;
}

Reader::Reader(Reader&& o) noexcept { *this = std::move(o); }

Reader& Reader::operator=(Reader&& o) noexcept {
  if (this != &o) {
    unmap();
    path_ = std::move(o.path_);
    header_ = o.header_;
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
    const bool copied = !o.copy_.empty();
    copy_ = std::move(o.copy_);
    records_ = copied ? std::span<const Record>(copy_) : o.records_;
    o.records_ = {};
    trailing_bytes_ = o.trailing_bytes_;
    warnings_ = std::move(o.warnings_);
  }
  return *this;
}

Reader::~Reader() { unmap(); }

void Reader::unmap() noexcept {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

std::size_t Reader::lower_bound(core::Timestamp t) const noexcept {
  const std::int64_t key = encode_time(t);
  std::size_t lo = 0, hi = records_.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const auto mt = decode_time(records_[mid].date_time);
    const std::int64_t raw = mt ? encode_time(*mt) : records_[mid].date_time;
    if (raw < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

ValidationReport Reader::validate() const {
  ValidationReport rep;
  rep.records = records_.size();
  std::int64_t prev = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const Record& r = records_[i];
    switch (classify(r)) {
      case RecordKind::kEmpty: ++rep.empty; continue;
      case RecordKind::kQuote: ++rep.quotes; break;
      case RecordKind::kTrade: ++rep.trades; break;
      case RecordKind::kBar: ++rep.bars; break;
    }
    const auto t = decode_time(r.date_time);
    if (!t) { ++rep.bad_times; continue; }
    const std::int64_t raw = encode_time(*t);
    if (raw < prev) {
      ++rep.backwards;
      if (rep.first_backwards.size() < 5) rep.first_backwards.push_back({i, prev, raw});
    }
    prev = raw;
  }
  return rep;
}

}  // namespace daytrader::scid
