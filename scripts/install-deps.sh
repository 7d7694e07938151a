#!/usr/bin/env bash
# Installs every Debian 12 package daytrader needs to build, test and benchmark.
# Safe to re-run: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  # libtorch (CPU) and a real BLAS: without OpenBLAS libtorch falls back to the reference BLAS.
  libtorch-dev libopenblas-dev
  # Time zones for session calendars (America/Chicago via the tz database).
  libhowardhinnant-date-dev tzdata
  # Configuration, command line, logging, JSON.
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  # Networking (DTC) and the SQLite journal.
  libasio-dev libsqlitecpp-dev libsqlite3-dev
  # Tests and benchmarks; headless Chromium renders the training report in a test.
  googletest libgtest-dev libgmock-dev libbenchmark-dev chromium
  # Compression (dataset checksums, SB3 model zips).
  zlib1g-dev libzip-dev
  # Fuzzing the DTC decoder: clang with libFuzzer and the sanitizers.
  clang libclang-rt-14-dev
  # Distributed training and sweeps (mpirun -np N daytrader train|sweep): Open MPI.
  libopenmpi-dev openmpi-bin
)

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
