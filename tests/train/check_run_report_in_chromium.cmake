# The fixture run's report as a browser reads it: headless Chromium loads the page from a file,
# dumps the DOM it built, and takes a screenshot. The DOM must hold every chart and table row
# (an unclosed tag or a stray character would move or drop them), the screenshot must be a PNG.
#   cmake -DWRITER=write_run_report_fixture -DCHROMIUM=/usr/bin/chromium -DWORK=dir
#         -DCHARTS=12 -DFOLD_ROWS=2 -DSEED_ROWS=4 -P check_run_report_in_chromium.cmake
# Chromium gets a fresh profile and every background connection turned off; the page itself
# loads nothing.
if(NOT EXISTS "${CHROMIUM}")
  message(FATAL_ERROR "${CHROMIUM} is missing: install chromium (scripts/install-deps.sh lists it)")
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(page "${WORK}/report.html")
set(png "${WORK}/report.png")

execute_process(COMMAND "${WRITER}" "${page}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${WRITER} failed (${rc}): ${err}")
endif()

set(flags --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
    --disable-component-update --disable-sync)

# chromium(<output var> <profile name> args...): runs it with its own fresh profile; fails the
# test on a non-zero exit or a time-out.
function(chromium out profile)
  set(dir "${WORK}/profile-${profile}")
  file(MAKE_DIRECTORY "${dir}")
  execute_process(COMMAND "${CHROMIUM}" ${flags} --user-data-dir=${dir} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr TIMEOUT 90)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chromium ${ARGN} failed (${rc}):\n${stderr}")
  endif()
  set(${out} "${stdout}" PARENT_SCOPE)
endfunction()

chromium(dom dom --dump-dom "file://${page}")
file(WRITE "${WORK}/dom.html" "${dom}")

# count(<var> regex): how many times the regex matches the dumped DOM.
function(count out regex)
  string(REGEX MATCHALL "${regex}" found "${dom}")
  list(LENGTH found n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()
count(svgs "<svg ")
count(polylines "<polyline ")
count(fold_rows "<tr class=\"fold-row\">")
count(seed_rows "<tr class=\"seed-row[ \"]")
count(sections "<section class=\"fold\"")
count(closes "</body></html>")
set(problems "")
if(NOT svgs EQUAL CHARTS)
  string(APPEND problems "\n  ${svgs} <svg> charts, expected ${CHARTS}")
endif()
if(NOT fold_rows EQUAL FOLD_ROWS)
  string(APPEND problems "\n  ${fold_rows} fold rows in the cross-validation table, expected ${FOLD_ROWS}")
endif()
if(NOT seed_rows EQUAL SEED_ROWS)
  string(APPEND problems "\n  ${seed_rows} seed rows, expected ${SEED_ROWS}")
endif()
if(NOT sections EQUAL FOLD_ROWS)
  string(APPEND problems "\n  ${sections} fold sections, expected ${FOLD_ROWS}")
endif()
if(polylines EQUAL 0)
  string(APPEND problems "\n  no <polyline> in the charts")
endif()
if(NOT closes EQUAL 1)
  string(APPEND problems "\n  the DOM does not end in one </body></html>")
endif()
if(problems)
  message(FATAL_ERROR "${page} as Chromium parsed it (${WORK}/dom.html):${problems}")
endif()

chromium(ignored shot --screenshot=${png} --window-size=1280,2000 --hide-scrollbars "file://${page}")
if(NOT EXISTS "${png}")
  message(FATAL_ERROR "chromium wrote no screenshot ${png}")
endif()
file(SIZE "${png}" png_size)
file(READ "${png}" magic LIMIT 8 HEX)
if(png_size LESS 10000 OR NOT magic STREQUAL "89504e470d0a1a0a")
  message(FATAL_ERROR "${png} is not a PNG of the page (${png_size} bytes, starts ${magic})")
endif()
message(STATUS "Chromium: ${svgs} charts, ${fold_rows} fold rows, ${seed_rows} seed rows; screenshot ${png} (${png_size} bytes)")
