#pragma once
// Appends records to a .scid file, creating it with a standard header when it is new.

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "scid/scid_format.h"

namespace daytrader::scid {

class Writer {
 public:
  enum class Mode { kTruncate, kAppend };

  // kAppend keeps existing records (checking the header) and drops a partial trailing record;
  // kTruncate starts a new file. Errors name the file.
  [[nodiscard]] static core::Result<Writer> open(const std::string& path, Mode mode);

  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;
  ~Writer();  // flushes; call close() to see errors

  void append(const Record& r);
  void append(std::span<const Record> rs);
  [[nodiscard]] core::Status flush();
  [[nodiscard]] core::Status close();

  // Records in the file before this writer opened it, and the raw DateTime of the last one.
  [[nodiscard]] std::size_t existing_records() const noexcept { return existing_; }
  [[nodiscard]] std::optional<std::int64_t> last_date_time() const noexcept { return last_time_; }
  [[nodiscard]] std::size_t records_written() const noexcept { return written_; }
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  Writer() = default;
  std::string path_;
  std::FILE* f_ = nullptr;
  std::vector<Record> buffer_;
  std::size_t existing_ = 0;
  std::size_t written_ = 0;
  std::optional<std::int64_t> last_time_;
  std::vector<std::string> warnings_;
};

}  // namespace daytrader::scid
