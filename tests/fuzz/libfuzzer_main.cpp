// libFuzzer entry point shared by every fuzz target: tests/fuzz/CMakeLists.txt compiles it once
// per target with DAYTRADER_FUZZ_ENTRY naming the target's entry function
// (daytrader::fuzz::<target>_fuzz_one_input). Built only with clang; run by scripts/fuzz.sh.

#include <cstddef>
#include <cstdint>

#ifndef DAYTRADER_FUZZ_ENTRY
#error "DAYTRADER_FUZZ_ENTRY must name the target's entry function"
#endif

namespace daytrader::fuzz {
int DAYTRADER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size);
}  // namespace daytrader::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return daytrader::fuzz::DAYTRADER_FUZZ_ENTRY(data, size);
}
