#pragma once
// The small text files of a run folder (run.toml, metadata.json, summary.csv, result.json, ...).

#include <filesystem>
#include <string>

namespace daytrader::train {

// Writes `text` to path.tmp, then renames it over path: a reader never sees half a file. Throws
// DaytraderError naming the file when it cannot be written.
void write_text(const std::filesystem::path& path, const std::string& text);
// The whole file; throws DaytraderError naming it when it cannot be read.
[[nodiscard]] std::string read_text(const std::filesystem::path& path);
// Copies the files of one model folder (not its subfolders) into another, replacing any there.
void copy_model_files(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace daytrader::train
