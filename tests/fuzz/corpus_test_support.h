#pragma once
// What every fuzz target's corpus gtest does (tests/fuzz/<target>_fuzz_corpus_test.cpp):
//   1. the seed files it generates with the project's own writers are in tests/fuzz/corpus/<target>/
//      and equal what the generator produces (DT_UPDATE_GOLDEN=1 rewrites them);
//   2. every file in that directory (seeds, and reproducers saved from libFuzzer findings) runs
//      through the target's entry function, in every build, gcc included.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace daytrader::fuzz::testing {

using Bytes = std::vector<std::uint8_t>;
using Seeds = std::map<std::string, Bytes>;  // file name -> contents
using Entry = int (*)(const std::uint8_t*, std::size_t);

[[nodiscard]] std::filesystem::path corpus_dir(std::string_view target);
[[nodiscard]] Bytes read_file(const std::filesystem::path& path);
[[nodiscard]] Bytes to_bytes(std::string_view text);
[[nodiscard]] std::string to_string(const Bytes& bytes);

// gtest assertions: the seeds exist and are current (or are rewritten with DT_UPDATE_GOLDEN=1).
void expect_seed_files(std::string_view target, const Seeds& seeds);
// gtest assertions: every file of the corpus returns 0 from `entry` (a property failure aborts),
// and there are at least `min_files`.
void expect_corpus_runs(std::string_view target, Entry entry, std::size_t min_files);

}  // namespace daytrader::fuzz::testing
