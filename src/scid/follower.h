#pragma once
// Follows a .scid file while Sierra Chart appends to it: the live counterpart of scid::Reader.
//
// Semantics
// - Sans-clock: the follower never sleeps, never starts a thread and never reads a clock. The
//   caller decides when to poll (Sierra flushes its intraday file every 5 s by default, so polling
//   every 0.5-1 s is plenty). Each poll() costs an fstat() and a stat() of the path; a poll that
//   finds new records adds one pread()/preadv() per max_records_per_poll records.
// - Reads with pread(), never mmap: the file grows under us, and a mapping would have to be
//   remade on every poll.
// - A poll returns the complete 40-byte records appended since the previous poll, exactly as
//   stored (converting them is market::ScidAdapter's job), at most max_records_per_poll of them;
//   is_caught_up() tells whether more complete records were already waiting. The bytes of a
//   partial record at the end of the file are never read: the record is returned by the first
//   poll that finds it complete.
// - The file may not exist yet, or hold fewer bytes than its header: poll() returns 0 and
//   is_waiting_for_file() / is_waiting_for_header() / status() say so. Any other open or stat
//   failure is an error.
// - Once the header is complete it is checked like Reader checks it (magic, header size, record
//   size; an unexpected version is only a warning), and errors name the file, the byte offset,
//   the field and the value.
// - The follower treats the file as append-only (Sierra's 1-tick storage). Each poll checks that
//   the path still names the same file (device and inode) and that the file has not shrunk, and
//   each read re-reads the last record returned before and checks it is unchanged. A violation is
//   an error naming the file and both sizes (or the record and both values): the file was
//   rewritten, e.g. by a data refresh, or it uses time-unit storage whose last bar is rewritten
//   in place, which the follower does not support. Reopen a new Follower to start over.
// - Errors are sticky: after poll() returns an error the follower is failed, state() is kFailed
//   and every later poll() returns the same error. On error `out` is left as it was.
// - Start positions: StartAt::kFirstRecord returns every record. StartAt::kEnd skips the
//   complete records present when open() is called (none if the file does not exist yet) and
//   returns those appended later. StartAt::kTime starts at the first record whose time is at or
//   after start_time: once the header is complete, a binary search over the records present
//   (the same comparison as Reader::lower_bound, so it needs records in time order), then a
//   linear skip over later records until one reaches start_time; from there on every record is
//   returned, in file order, without further filtering.
// - Everything returns core::Result; nothing throws except std::bad_alloc.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/timestamp.h"
#include "scid/scid_format.h"

namespace daytrader::scid {

enum class StartAt : std::uint8_t {
  kFirstRecord,  // every record in the file
  kTime,         // from the first record at or after FollowerOptions::start_time
  kEnd,          // only records appended after open()
};

struct FollowerOptions {
  StartAt start = StartAt::kFirstRecord;
  core::Timestamp start_time{};                 // used with StartAt::kTime only
  std::size_t max_records_per_poll = 1u << 16;  // at least 1; bounds each poll to 40 B x this
};

enum class FollowerState : std::uint8_t {
  kWaitingForFile,    // the path does not exist yet
  kWaitingForHeader,  // the file holds fewer bytes than its header
  kFollowing,         // the header is valid; polls return records
  kFailed,            // poll() returned an error; every later poll returns it again
};

struct FollowerStats {
  std::uint64_t polls = 0;
  std::uint64_t records = 0;             // records returned by poll()
  std::uint64_t skipped = 0;             // records before the start position, never returned
  std::uint64_t bytes_read = 0;          // every byte read: header, search probes, re-checks, records
  std::uint64_t partial_tail_polls = 0;  // polls that left a partial record at the end of the file
};

class Follower {
 public:
  // Opens `path` if it exists (else waits for it) and reads its header if complete. Errors: the
  // options are invalid, the path cannot be opened for a reason other than not existing, it is
  // not a regular file, or its header is bad.
  [[nodiscard]] static core::Result<Follower> open(const std::string& path, FollowerOptions options = {});

  Follower(Follower&&) noexcept;
  Follower& operator=(Follower&&) noexcept;
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;
  ~Follower();

  // Appends the complete records that appeared since the last poll (at most
  // max_records_per_poll) to `out` and returns how many. 0 while waiting for the file or header.
  [[nodiscard]] core::Result<std::size_t> poll(std::vector<Record>& out);

  [[nodiscard]] FollowerState state() const noexcept { return state_; }
  [[nodiscard]] bool is_waiting_for_file() const noexcept { return state_ == FollowerState::kWaitingForFile; }
  // True until the header is complete, including while the file does not exist.
  [[nodiscard]] bool is_waiting_for_header() const noexcept {
    return state_ == FollowerState::kWaitingForFile || state_ == FollowerState::kWaitingForHeader;
  }
  [[nodiscard]] bool is_failed() const noexcept { return state_ == FollowerState::kFailed; }
  // False when the last poll stopped at max_records_per_poll with complete records left over:
  // poll again without waiting.
  [[nodiscard]] bool is_caught_up() const noexcept { return caught_up_; }
  // One line for the log: what the follower waits for, where it is, or why it failed.
  [[nodiscard]] std::string status() const;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const FollowerOptions& options() const noexcept { return options_; }
  // Valid once !is_waiting_for_header().
  [[nodiscard]] const Header& header() const noexcept { return header_; }
  // Index in the file of the next record a poll will read, and its byte offset.
  [[nodiscard]] std::uint64_t next_record() const noexcept { return next_record_; }
  [[nodiscard]] std::uint64_t next_offset() const noexcept {
    return header_.header_size + next_record_ * kRecordSize;
  }
  // File size seen by the last poll, and the bytes of a partial record at its end.
  [[nodiscard]] std::uint64_t file_size() const noexcept { return size_; }
  [[nodiscard]] std::size_t pending_bytes() const noexcept { return pending_bytes_; }
  [[nodiscard]] const FollowerStats& stats() const noexcept { return stats_; }
  // Non-fatal findings (an unexpected header version).
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  Follower() = default;
  void close_fd() noexcept;
  [[nodiscard]] core::Status refresh();
  [[nodiscard]] core::Status read_header();
  [[nodiscard]] core::Status seek_time(std::uint64_t complete_records);
  [[nodiscard]] core::Result<std::size_t> read_records(std::vector<Record>& out);
  core::Error fail(core::Error e);

  std::string path_;
  FollowerOptions options_;
  FollowerState state_ = FollowerState::kWaitingForFile;
  int fd_ = -1;
  std::uint64_t dev_ = 0;  // identity of the file we follow
  std::uint64_t ino_ = 0;
  bool header_checked_ = false;  // the 56 header bytes were read and checked
  Header header_{};
  std::uint64_t size_ = 0;
  std::uint64_t next_record_ = 0;
  bool start_resolved_ = false;
  bool seeking_ = false;  // StartAt::kTime: no record at or after start_time read yet
  std::int64_t start_key_ = 0;
  bool has_last_ = false;  // last_ holds the record just before next_record_, as read
  Record last_{};
  bool caught_up_ = true;
  std::size_t pending_bytes_ = 0;
  FollowerStats stats_;
  std::vector<std::string> warnings_;
  std::optional<core::Error> failed_;
};

}  // namespace daytrader::scid
