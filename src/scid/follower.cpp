#include "scid/follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace daytrader::scid {

namespace {

// Largest header size accepted. Sierra writes 56; the spec allows more (the records start at
// HeaderSize), but a value in the megabytes is corruption, and waiting for it would stall silently.
constexpr std::uint32_t kMaxHeaderSize = 1u << 20;

template <typename T>
T load(const unsigned char* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The sort key of a record's time, as Reader::lower_bound compares it.
std::int64_t time_key(std::int64_t raw) noexcept {
  const auto t = decode_time(raw);
  return t ? encode_time(*t) : raw;
}

// Reads the bytes the iovecs describe from `offset`, retrying short reads and EINTR. Returns the
// bytes read (fewer than asked only at the end of the file) or -1 with errno set.
ssize_t read_fully(int fd, iovec* iov, int iovcnt, std::uint64_t offset) noexcept {
  std::uint64_t total = 0;
  while (iovcnt > 0) {
    const ssize_t got = ::preadv(fd, iov, iovcnt, static_cast<off_t>(offset + total));
    if (got < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (got == 0) break;
    total += static_cast<std::uint64_t>(got);
    auto left = static_cast<std::size_t>(got);
    while (iovcnt > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --iovcnt;
    }
    if (iovcnt > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return static_cast<ssize_t>(total);
}

ssize_t pread_fully(int fd, void* buf, std::size_t n, std::uint64_t offset) noexcept {
  iovec iov{buf, n};
  return read_fully(fd, &iov, 1, offset);
}

}  // namespace

core::Result<Follower> Follower::open(const std::string& path, FollowerOptions options) {
  if (options.max_records_per_poll == 0)
    return core::Error{fmt::format("{}: max_records_per_poll is 0, expected at least 1", path)};
  Follower f;
  f.path_ = path;
  f.options_ = options;
  f.start_key_ = encode_time(options.start_time);
  if (auto s = f.refresh(); !s) return s.error();
  if (options.start == StartAt::kEnd && !f.start_resolved_) {
    // No complete header yet, so no records: everything in the file will be new.
    f.start_resolved_ = true;
    f.next_record_ = 0;
  }
  return f;
}

Follower::Follower(Follower&& o) noexcept {
  *this = std::move(o);
}

Follower& Follower::operator=(Follower&& o) noexcept {
  if (this != &o) {
    close_fd();
    path_ = std::move(o.path_);
    options_ = o.options_;
    state_ = o.state_;
    fd_ = std::exchange(o.fd_, -1);
    dev_ = o.dev_;
    ino_ = o.ino_;
    header_checked_ = o.header_checked_;
    header_ = o.header_;
    size_ = o.size_;
    next_record_ = o.next_record_;
    start_resolved_ = o.start_resolved_;
    seeking_ = o.seeking_;
    start_key_ = o.start_key_;
    has_last_ = o.has_last_;
    last_ = o.last_;
    caught_up_ = o.caught_up_;
    pending_bytes_ = o.pending_bytes_;
    stats_ = o.stats_;
    warnings_ = std::move(o.warnings_);
    failed_ = std::move(o.failed_);
  }
  return *this;
}

Follower::~Follower() {
  close_fd();
}

void Follower::close_fd() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

core::Error Follower::fail(core::Error e) {
  state_ = FollowerState::kFailed;
  caught_up_ = true;
  close_fd();
  failed_ = e;
  return e;
}

core::Result<std::size_t> Follower::poll(std::vector<Record>& out) {
  if (failed_) return *failed_;
  ++stats_.polls;
  if (auto s = refresh(); !s) return fail(s.error());
  if (state_ != FollowerState::kFollowing) return std::size_t{0};
  auto n = read_records(out);
  if (!n) return fail(n.error());
  const std::uint64_t payload = size_ - header_.header_size;
  pending_bytes_ = static_cast<std::size_t>(payload % kRecordSize);
  if (pending_bytes_ != 0) ++stats_.partial_tail_polls;
  stats_.records += *n;
  return n;
}

// Opens the file if needed, checks it is still the same file and has not shrunk, and reads the
// header once it is complete.
core::Status Follower::refresh() {
  struct stat st {};
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT) {
        state_ = FollowerState::kWaitingForFile;
        return {};
      }
      return core::Error{fmt::format("{}: cannot open: {}", path_, std::strerror(errno))};
    }
    if (::fstat(fd_, &st) != 0)
      return core::Error{fmt::format("{}: cannot stat: {}", path_, std::strerror(errno))};
    if (!S_ISREG(st.st_mode))
      return core::Error{
          fmt::format("{}: is not a regular file (st_mode 0{:o})", path_, static_cast<unsigned>(st.st_mode))};
    dev_ = static_cast<std::uint64_t>(st.st_dev);
    ino_ = static_cast<std::uint64_t>(st.st_ino);
    state_ = FollowerState::kWaitingForHeader;
  } else {
    // A new file renamed over the path leaves our descriptor on the old one, which stops growing.
    struct stat now {};
    if (::stat(path_.c_str(), &now) != 0) {
      if (errno == ENOENT)
        return core::Error{fmt::format(
            "{}: file was removed while being followed (it had {} bytes); was it rewritten?", path_, size_)};
      return core::Error{fmt::format("{}: cannot stat: {}", path_, std::strerror(errno))};
    }
    if (static_cast<std::uint64_t>(now.st_dev) != dev_ || static_cast<std::uint64_t>(now.st_ino) != ino_)
      return core::Error{
          fmt::format("{}: file was replaced by another file (inode {} -> {}) of {} bytes; the followed one "
                      "had {} bytes; was it rewritten?",
                      path_, ino_, static_cast<std::uint64_t>(now.st_ino),
                      static_cast<std::uint64_t>(now.st_size), size_)};
    if (::fstat(fd_, &st) != 0)
      return core::Error{fmt::format("{}: cannot stat: {}", path_, std::strerror(errno))};
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < size_)
    return core::Error{
        fmt::format("{}: file shrank from {} to {} bytes; was it rewritten?", path_, size_, size)};
  size_ = size;
  if (state_ == FollowerState::kFollowing) return {};

  if (!header_checked_) {
    if (size_ < kHeaderSize) return {};
    if (auto s = read_header(); !s) return s;
  }
  if (size_ < header_.header_size) return {};
  state_ = FollowerState::kFollowing;
  if (!start_resolved_) {
    start_resolved_ = true;
    const std::uint64_t complete = (size_ - header_.header_size) / kRecordSize;
    switch (options_.start) {
      case StartAt::kFirstRecord:
        next_record_ = 0;
        break;
      case StartAt::kEnd:  // reached only from open(): the records present then are skipped
        next_record_ = complete;
        stats_.skipped += complete;
        break;
      case StartAt::kTime:
        return seek_time(complete);
    }
  }
  return {};
}

core::Status Follower::read_header() {
  unsigned char bytes[kHeaderSize];
  const ssize_t got = pread_fully(fd_, bytes, kHeaderSize, 0);
  if (got < 0)
    return core::Error{fmt::format("{}: cannot read the {}-byte header at offset 0: {}", path_, kHeaderSize,
                                   std::strerror(errno))};
  if (static_cast<std::size_t>(got) < kHeaderSize)
    return core::Error{
        fmt::format("{}: file shrank from {} to {} bytes while reading the header; "
                    "was it rewritten?",
                    path_, size_, got)};
  stats_.bytes_read += kHeaderSize;
  Header h;
  h.magic = load<std::uint32_t>(bytes + 0);
  h.header_size = load<std::uint32_t>(bytes + 4);
  h.record_size = load<std::uint32_t>(bytes + 8);
  h.version = load<std::uint16_t>(bytes + 12);
  h.unused1 = load<std::uint16_t>(bytes + 14);
  h.utc_start_index = load<std::uint32_t>(bytes + 16);
  std::memcpy(h.reserve, bytes + 20, sizeof h.reserve);
  if (h.magic != kMagic) {
    char shown[5] = {};
    for (int i = 0; i < 4; ++i) {
      const auto c = static_cast<char>(bytes[i]);
      shown[i] = (c >= 32 && c < 127) ? c : '?';
    }
    return core::Error{fmt::format(
        "{}: offset 0: magic is \"{}\" (0x{:08X}), expected \"SCID\" (0x{:08X}): not a Sierra Chart "
        "intraday file",
        path_, shown, h.magic, kMagic)};
  }
  if (h.header_size < kHeaderSize || h.header_size > kMaxHeaderSize)
    return core::Error{
        fmt::format("{}: offset 4: header size is {}, expected at least {} and at "
                    "most {}",
                    path_, h.header_size, kHeaderSize, kMaxHeaderSize)};
  if (h.record_size != kRecordSize)
    return core::Error{
        fmt::format("{}: offset 8: record size is {}, expected {}", path_, h.record_size, kRecordSize)};
  if (h.version != kVersion)
    warnings_.push_back(
        fmt::format("{}: offset 12: version is {}, expected {}; reading anyway", path_, h.version, kVersion));
  header_ = h;
  header_checked_ = true;
  return {};
}

// Binary search for the first record at or after start_time among the complete records present
// (Reader::lower_bound's comparison); records appended later are checked one by one as read.
core::Status Follower::seek_time(std::uint64_t complete_records) {
  std::uint64_t lo = 0, hi = complete_records;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const std::uint64_t offset = header_.header_size + mid * kRecordSize;
    std::int64_t raw = 0;
    const ssize_t got = pread_fully(fd_, &raw, sizeof raw, offset);
    if (got < 0)
      return core::Error{fmt::format("{}: offset {}: cannot read the DateTime of record {}: {}", path_,
                                     offset, mid, std::strerror(errno))};
    if (static_cast<std::size_t>(got) < sizeof raw)
      return core::Error{
          fmt::format("{}: file shrank from {} bytes to less than {} while searching for the start time; was "
                      "it rewritten?",
                      path_, size_, offset + sizeof raw)};
    stats_.bytes_read += sizeof raw;
    if (time_key(raw) < start_key_)
      lo = mid + 1;
    else
      hi = mid;
  }
  next_record_ = lo;
  stats_.skipped += lo;
  seeking_ = true;  // confirmed by the first record read
  return {};
}

core::Result<std::size_t> Follower::read_records(std::vector<Record>& out) {
  const std::size_t base = out.size();
  const std::size_t limit = options_.max_records_per_poll;
  std::size_t returned = 0;
  caught_up_ = true;
  while (returned < limit) {
    const std::uint64_t offset = next_offset();
    const std::uint64_t available = size_ > offset ? (size_ - offset) / kRecordSize : 0;
    if (available == 0) break;
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(available, limit - returned));
    out.resize(base + returned + want);
    Record* const dest = out.data() + base + returned;
    // The record before the new ones is read again and must not have changed.
    Record before{};
    iovec iov[2];
    int iovcnt = 0;
    if (has_last_) iov[iovcnt++] = iovec{&before, kRecordSize};
    iov[iovcnt++] = iovec{dest, want * kRecordSize};
    const std::uint64_t from = has_last_ ? offset - kRecordSize : offset;
    const std::uint64_t asked = (has_last_ ? kRecordSize : 0) + want * std::uint64_t{kRecordSize};
    const ssize_t got = read_fully(fd_, iov, iovcnt, from);
    if (got < 0) {
      const int err = errno;
      out.resize(base);
      return core::Error{
          fmt::format("{}: offset {}: cannot read {} bytes: {}", path_, from, asked, std::strerror(err))};
    }
    stats_.bytes_read += static_cast<std::uint64_t>(got);
    if (static_cast<std::uint64_t>(got) < asked) {
      out.resize(base);
      return core::Error{fmt::format("{}: file shrank from {} to {} bytes; was it rewritten?", path_, size_,
                                     from + static_cast<std::uint64_t>(got))};
    }
    if (has_last_ && std::memcmp(&before, &last_, sizeof before) != 0) {
      out.resize(base);
      return core::Error{fmt::format(
          "{}: offset {}: record {} changed after it was read (DateTime {} -> {}, close {} -> {}, "
          "volume {} -> {}); was the file rewritten, or is it time-unit storage whose last bar is "
          "updated in place? Only append-only (1-tick) files can be followed",
          path_, from, next_record_ - 1, last_.date_time, before.date_time, last_.close, before.close,
          last_.total_volume, before.total_volume)};
    }
    last_ = dest[want - 1];
    has_last_ = true;
    next_record_ += want;
    std::size_t kept = want;
    if (seeking_) {
      const Record* first = std::find_if(
          dest, dest + want, [this](const Record& r) { return time_key(r.date_time) >= start_key_; });
      const auto skip = static_cast<std::size_t>(first - dest);
      if (skip < want) seeking_ = false;
      const auto at = out.begin() + static_cast<std::ptrdiff_t>(base + returned);
      out.erase(at, at + static_cast<std::ptrdiff_t>(skip));
      stats_.skipped += skip;
      kept = want - skip;
    }
    returned += kept;
  }
  const std::uint64_t offset = next_offset();
  caught_up_ = size_ < offset || (size_ - offset) < kRecordSize;
  return returned;
}

std::string Follower::status() const {
  switch (state_) {
    case FollowerState::kWaitingForFile:
      return fmt::format("{}: waiting for the file to be created", path_);
    case FollowerState::kWaitingForHeader:
      return fmt::format("{}: waiting for the header: {} of {} bytes", path_, size_,
                         header_checked_ ? header_.header_size : kHeaderSize);
    case FollowerState::kFollowing:
      return fmt::format(
          "{}: following: next record {} at offset {}, {} records returned, {} "
          "bytes of a partial record pending{}",
          path_, next_record_, next_offset(), stats_.records, pending_bytes_,
          seeking_ ? ", still looking for the start time" : "");
    case FollowerState::kFailed:
      return failed_ ? failed_->message : path_ + ": failed";
  }
  return path_;
}

}  // namespace daytrader::scid
