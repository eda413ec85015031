# Compiler flags shared by every target of the core: strict warnings for our own sources, and the
# sanitizer / fuzzer instrumentation that must be applied to the library and its tests alike.

# -Wall -Wextra -Werror on a target we own (never on third-party code).
function(cdc_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

if(CDC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CDC_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(CDC_SANITIZE ON)
  # Coverage instrumentation for everything; fuzz targets add -fsanitize=fuzzer to get libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(CDC_SANITIZE)
  if(CDC_BUILD_PYTHON)
    message(FATAL_ERROR "CDC_SANITIZE is for the C++ tests: a sanitized extension module cannot be loaded by "
                        "an uninstrumented Python")
  endif()
  set(CDC_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${CDC_SANITIZER_FLAGS})
  add_link_options(${CDC_SANITIZER_FLAGS})
endif()
