# Which librdkafka the core links: target cdc::rdkafka.
#
#   CDC_RDKAFKA=wheel   the library inside the pinned confluent-kafka wheel (librdkafka 2.16; the default for the
#                       Python extension). It is linked through Debian's headers (the C API is the same), copied
#                       beside the extension with its licence, and found there through RPATH $ORIGIN: nothing is
#                       preloaded and nothing is installed system-wide.
#   CDC_RDKAFKA=system  Debian's librdkafka through pkg-config (2.0.2 on Debian 12): the fallback build, and the
#                       default for the standalone core (its tests and the sanitizer build).
#
# The wheel is found with the build's Python interpreter (scikit-build-core's, or CDC_RDKAFKA_PYTHON).

if(CDC_BUILD_PYTHON)
  set(_cdc_rdkafka_default wheel)
else()
  set(_cdc_rdkafka_default system)
endif()
set(CDC_RDKAFKA "${_cdc_rdkafka_default}" CACHE STRING "librdkafka to link: wheel (confluent-kafka's) or system")
set_property(CACHE CDC_RDKAFKA PROPERTY STRINGS wheel system)

find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)  # the headers, in both cases

if(CDC_RDKAFKA STREQUAL "system")
  add_library(cdc::rdkafka ALIAS PkgConfig::RDKAFKA)
  set(CDC_RDKAFKA_LIBRARY "")
elseif(CDC_RDKAFKA STREQUAL "wheel")
  if(NOT CDC_RDKAFKA_PYTHON)
    find_package(Python 3.11 REQUIRED COMPONENTS Interpreter)
    set(CDC_RDKAFKA_PYTHON "${Python_EXECUTABLE}")
  endif()
  execute_process(
    COMMAND "${CDC_RDKAFKA_PYTHON}" -c [=[
import importlib.metadata as md, pathlib
dist = md.distribution("confluent-kafka")
libs = sorted(pathlib.Path(dist.locate_file("confluent_kafka.libs")).glob("librdkafka*.so*"))
licence = next((pathlib.Path(dist.locate_file(f)) for f in dist.files if f.name == "LICENSE"), None)
print(f"{libs[0] if libs else ''};{licence or ''};{dist.version}")
]=]
    OUTPUT_VARIABLE _cdc_wheel OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _cdc_wheel_rc ERROR_VARIABLE _cdc_err)
  list(LENGTH _cdc_wheel _cdc_n)
  if(NOT _cdc_wheel_rc EQUAL 0 OR NOT _cdc_n EQUAL 3)
    message(FATAL_ERROR "CDC_RDKAFKA=wheel: the confluent-kafka wheel is not installed for ${CDC_RDKAFKA_PYTHON} "
                        "(${_cdc_err}). Run: ${CDC_RDKAFKA_PYTHON} -m pip install -c constraints.txt confluent-kafka "
                        "(or configure with -DCDC_RDKAFKA=system to link Debian's librdkafka)")
  endif()
  list(GET _cdc_wheel 0 CDC_RDKAFKA_LIBRARY)
  list(GET _cdc_wheel 1 CDC_RDKAFKA_LICENSE)
  list(GET _cdc_wheel 2 _cdc_wheel_version)
  if(NOT EXISTS "${CDC_RDKAFKA_LIBRARY}" OR NOT EXISTS "${CDC_RDKAFKA_LICENSE}")
    message(FATAL_ERROR "CDC_RDKAFKA=wheel: confluent-kafka ${_cdc_wheel_version} has no "
                        "confluent_kafka.libs/librdkafka*.so or no LICENSE; use -DCDC_RDKAFKA=system")
  endif()
  get_filename_component(_cdc_soname "${CDC_RDKAFKA_LIBRARY}" NAME)
  add_library(cdc_rdkafka_wheel SHARED IMPORTED GLOBAL)
  set_target_properties(cdc_rdkafka_wheel PROPERTIES
    IMPORTED_LOCATION "${CDC_RDKAFKA_LIBRARY}"
    IMPORTED_SONAME "${_cdc_soname}"
    INTERFACE_INCLUDE_DIRECTORIES "${RDKAFKA_INCLUDE_DIRS}")
  add_library(cdc::rdkafka ALIAS cdc_rdkafka_wheel)
  message(STATUS "librdkafka: ${_cdc_soname} from confluent-kafka ${_cdc_wheel_version} (Debian's headers)")
else()
  message(FATAL_ERROR "CDC_RDKAFKA must be wheel or system, not '${CDC_RDKAFKA}'")
endif()
