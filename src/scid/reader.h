#pragma once
// Memory-mapped, read-only view of a .scid file.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "scid/scid_format.h"

namespace daytrader::scid {

// Where the records stop increasing in time (a rewritten or corrupt file).
struct TimeOrderIssue {
  std::size_t index = 0;       // record whose time is earlier than the record before it
  std::int64_t previous = 0;   // raw DateTime values
  std::int64_t current = 0;
};

struct ValidationReport {
  std::size_t records = 0;
  std::size_t trades = 0;
  std::size_t quotes = 0;
  std::size_t bars = 0;
  std::size_t empty = 0;
  std::size_t bad_times = 0;           // DateTime neither integer microseconds nor a legacy double
  std::size_t backwards = 0;           // records earlier than their predecessor
  std::vector<TimeOrderIssue> first_backwards;  // the first few, for the message
};

class Reader {
 public:
  // Maps the file and checks the header. Errors name the file and the offset of the bad field.
  [[nodiscard]] static core::Result<Reader> open(const std::string& path);

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  ~Reader();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const Header& header() const noexcept { return header_; }
  // Complete records; a partial record at the end of the file is not included.
  [[nodiscard]] std::span<const Record> records() const noexcept { return records_; }
  [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }
  // Bytes of an incomplete trailing record (a writer mid-flush or a truncated copy).
  [[nodiscard]] std::size_t trailing_bytes() const noexcept { return trailing_bytes_; }
  // Warnings found while opening (partial record, unexpected version).
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

  // Index of the first record whose time is >= t (binary search; needs time order).
  [[nodiscard]] std::size_t lower_bound(core::Timestamp t) const noexcept;

  // Full scan: record kinds, undecodable times, timestamps going backwards.
  [[nodiscard]] ValidationReport validate() const;

 private:
  Reader() = default;
  void unmap() noexcept;

  std::string path_;
  Header header_{};
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::vector<Record> copy_;  // used only when the header size leaves records misaligned
  std::span<const Record> records_;
  std::size_t trailing_bytes_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace daytrader::scid
