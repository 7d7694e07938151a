# The daytrader binary must not load libtorch (only the training plugin does): its dynamic
# dependencies, as the loader resolves them, name no torch library, while the plugin's do.
#   cmake -DEXE=build/daytrader -DPLUGIN=build/daytrader-train.so -P check_no_torch.cmake
foreach(file EXE PLUGIN)
  execute_process(COMMAND ldd ${${file}} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ldd ${${file}} failed (${rc}): ${err}")
  endif()
  set(${file}_DEPS "${out}")
endforeach()
if(EXE_DEPS MATCHES "libtorch|libc10")
  message(FATAL_ERROR "${EXE} links libtorch:\n${EXE_DEPS}")
endif()
if(NOT PLUGIN_DEPS MATCHES "libtorch")
  message(FATAL_ERROR "${PLUGIN} does not link libtorch, so this check proves nothing:\n${PLUGIN_DEPS}")
endif()
