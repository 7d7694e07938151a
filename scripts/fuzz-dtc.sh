#!/usr/bin/env bash
# Builds the DTC codec's libFuzzer target with clang (ASan + UBSan) in build-fuzz/ and runs it
# for a bounded time. Exits non-zero on a finding (crash, sanitizer report, leak, timeout) and
# leaves the reproducer in build-fuzz/fuzz-dtc/artifacts/.
#
#   scripts/fuzz-dtc.sh [seconds]     # default 60
#
# Needs clang++ and the libFuzzer runtime (Debian 12: apt-get install clang libclang-rt-14-dev).
# New inputs go to build-fuzz/fuzz-dtc/corpus/; the committed seeds in tests/fuzz/corpus/dtc/ are
# read, never written. To keep a reproducer as a regression test, copy it into that directory:
# dtc_fuzz_corpus_test runs every file there in the ordinary gcc build.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz-dtc: the duration must be a positive number of seconds, was '$seconds'" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
work="$build/fuzz-dtc"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz-dtc: clang++ not found; install it with: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi
# The libFuzzer runtime ships separately from the compiler on Debian.
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.cpp" <<'PROBE'
extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }
PROBE
if ! clang++ -fsanitize=fuzzer "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1; then
  echo "fuzz-dtc: clang++ cannot link -fsanitize=fuzzer;" \
    "install the runtime with: apt-get install libclang-rt-14-dev" >&2
  exit 2
fi

# Instrument the library too (coverage for libFuzzer, ASan/UBSan for the code under test), and
# make every UBSan report fatal so that it counts as a finding.
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDAYTRADER_BUILD_BENCH=OFF \
  -DDAYTRADER_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >/dev/null
cmake --build "$build" --target dtc_fuzz -j2

mkdir -p "$work/corpus" "$work/artifacts"
echo "fuzz-dtc: running for ${seconds}s"
"$build/tests/fuzz/dtc_fuzz" \
  -max_total_time="$seconds" \
  -max_len=8192 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$root/tests/fuzz/corpus/dtc"
echo "fuzz-dtc: no findings in ${seconds}s"
