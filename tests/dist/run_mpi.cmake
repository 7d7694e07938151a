# Runs one mpirun command line under a time limit and checks how it ended (a dist.mpi.* test).
#   -DCOMMAND="mpirun|-np|2|...": the command, its arguments separated by "|"
#   -DSECONDS=N                   it must end within N seconds (timeout(1) ends it after that)
#   -DWILL_FAIL=ON                it must end with a non-zero status (else with 0)
#   -DPASS_COUNT=n -DPASS_0=regex ... every regex must match its merged stdout and stderr
# The output is printed whatever happens, so a failing test shows what mpirun said.
string(REPLACE "|" ";" command "${COMMAND}")
string(TIMESTAMP start "%s")
# timeout(1) sends SIGTERM, which mpirun passes on to its ranks before it exits; -k 10 is for an
# mpirun that does not end then.
execute_process(COMMAND timeout -k 10 ${SECONDS} ${command}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
string(TIMESTAMP end "%s")
math(EXPR elapsed "${end} - ${start}")
message("---- output of: ${command}\n${output}---- exit status ${status} after ${elapsed} s")

set(failures "")
# By the clock, not the status: mpirun itself ends with 137 when a rank was killed by SIGKILL.
if(status EQUAL 124 OR elapsed GREATER_EQUAL SECONDS)
  string(APPEND failures "\n  it did not end within ${SECONDS} s")
elseif(WILL_FAIL AND status EQUAL 0)
  string(APPEND failures "\n  it ended with status 0; expected a failure")
elseif(NOT WILL_FAIL AND NOT status EQUAL 0)
  string(APPEND failures "\n  it ended with status ${status}; expected 0")
endif()
if(NOT PASS_COUNT)
  set(PASS_COUNT 0)
endif()
math(EXPR last "${PASS_COUNT} - 1")
if(PASS_COUNT GREATER 0)
  foreach(i RANGE ${last})
    if(NOT output MATCHES "${PASS_${i}}")
      string(APPEND failures "\n  the output does not match: ${PASS_${i}}")
    endif()
  endforeach()
endif()
if(failures)
  message(FATAL_ERROR "FAILED:${failures}")
endif()
