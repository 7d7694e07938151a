#!/usr/bin/env bash
# Builds libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each for a bounded
# time. The targets are those tests/fuzz/CMakeLists.txt declares (daytrader_add_fuzz_target).
#
#   scripts/fuzz.sh TARGET [SECONDS]    # one target, default 60 s
#   scripts/fuzz.sh all [SECONDS]       # every target, one after the other, SECONDS each
#   scripts/fuzz.sh --list              # the targets
#
# One configure (build-fuzz/ is reused; it is configured again only when this script's settings
# change) and one `cmake --build` for all the targets asked for. Exits non-zero when a target has a
# finding (crash, sanitizer report, leak, timeout, an allocation above the limit) and leaves the
# reproducer in build-fuzz/fuzz-<target>/artifacts/; the run's log is build-fuzz/fuzz-<target>/log.
# New inputs go to build-fuzz/fuzz-<target>/corpus/; the committed seeds in
# tests/fuzz/corpus/<target>/ are read, never written. To keep a reproducer as a regression test,
# fix the parser and copy the file into tests/fuzz/corpus/<target>/: <target>_fuzz_corpus_test
# runs every file there in the ordinary gcc build. Reproduce one input with
#   build-fuzz/tests/fuzz/<target>_fuzz FILE
#
# Needs clang++ and the libFuzzer runtime (Debian 12: apt-get install clang libclang-rt-14-dev).
set -euo pipefail

usage() { sed -n '5,7p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  usage
  exit 2
fi
request="$1"
seconds="${2:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz: the duration must be a positive number of seconds, was '$seconds'" >&2
  exit 2
fi

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found; install it with: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi
# The libFuzzer runtime ships separately from the compiler on Debian.
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.cpp" <<'PROBE'
extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }
PROBE
if ! clang++ -fsanitize=fuzzer "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1; then
  echo "fuzz: clang++ cannot link -fsanitize=fuzzer;" \
    "install the runtime with: apt-get install libclang-rt-14-dev" >&2
  exit 2
fi

# Instrument the libraries too (coverage for libFuzzer, ASan/UBSan for the code under test), and
# make every UBSan report fatal so that it counts as a finding. Configured once: a build tree
# configured with the same settings is reused as it is (cmake --build re-runs CMake itself when a
# CMakeLists.txt changes).
configure=(-G Ninja
  -DCMAKE_CXX_COMPILER=clang++
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DDAYTRADER_BUILD_BENCH=OFF
  -DDAYTRADER_SANITIZE=ON
  "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all")
stamp="$build/fuzz-configure.txt"
if [ ! -f "$build/CMakeCache.txt" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${configure[*]}" ]; then
  cmake -S "$root" -B "$build" "${configure[@]}" >/dev/null
  printf '%s' "${configure[*]}" > "$stamp"
fi

list="$build/tests/fuzz/fuzz-targets.txt"
declare -A max_len=()
known=()
while read -r name len; do
  [ -n "$name" ] || continue
  known+=("$name")
  max_len[$name]="$len"
done < "$list"

if [ "$request" = "--list" ]; then
  printf '%s\n' "${known[@]}"
  exit 0
fi
if [ "$request" = "all" ]; then
  targets=("${known[@]}")
elif [ -n "${max_len[$request]+set}" ]; then
  targets=("$request")
else
  echo "fuzz: unknown target '$request'; the targets are: ${known[*]} (or all)" >&2
  exit 2
fi

build_targets=()
for t in "${targets[@]}"; do build_targets+=("${t}_fuzz"); done
cmake --build "$build" --target "${build_targets[@]}" -j2

# A UBSan report names the line, with the stack that led there.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
failed=()
summary=()
for t in "${targets[@]}"; do
  work="$build/fuzz-$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  dict=()
  if [ -f "$root/tests/fuzz/dict/$t.dict" ]; then dict=(-dict="$root/tests/fuzz/dict/$t.dict"); fi
  echo "fuzz: $t: running for ${seconds}s"
  set +e
  "$build/tests/fuzz/${t}_fuzz" \
    -max_total_time="$seconds" \
    -max_len="${max_len[$t]}" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -malloc_limit_mb=512 \
    -print_final_stats=1 \
    "${dict[@]}" \
    -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$root/tests/fuzz/corpus/$t" > "$work/log" 2>&1
  rc=$?
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)"
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$work/log" >&2
    echo "fuzz: $t: FINDING (exit $rc); reproducer in $work/artifacts/, log in $work/log" >&2
    failed+=("$t")
    summary+=("$t: finding after ${execs:-?} runs")
  else
    summary+=("$t: no findings in ${seconds}s, ${execs:-?} runs")
  fi
done
printf 'fuzz: %s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
