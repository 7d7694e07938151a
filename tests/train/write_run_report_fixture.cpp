// Writes the fixture run's report (run_report_fixture.h) to the file given, for the check of the
// page in headless Chromium (check_run_report_in_chromium.cmake).

#include <cstdio>
#include <fstream>

#include "run_report_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.html\n", argv[0]);
    return 2;
  }
  std::ofstream out(argv[1]);
  out << daytrader::train::render_run_report(daytrader::train::testing::fixture_report());
  out.close();
  if (!out) {
    std::fprintf(stderr, "%s: cannot write\n", argv[1]);
    return 1;
  }
  return 0;
}
