// libFuzzer entry point for the DTC codec; built only with clang (tests/fuzz/CMakeLists.txt)
// and run by scripts/fuzz-dtc.sh.

#include <cstddef>
#include <cstdint>

#include "dtc_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return daytrader::fuzz::dtc_fuzz_one_input(data, size);
}
