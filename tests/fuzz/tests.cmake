# Hostile-input tests of the pure C++ code (issue 7), included from tests/CMakeLists.txt:
#   fuzz.record_smoke   60 s of libFuzzer (clang-14, ASan + UBSan) over the record parser,
#                       stitching and change encoding, from the committed seed corpus
#   sanitize.unit       the unit tests built with -DPGTRAIL_SANITIZE=ON (ASan + UBSan) and run
add_test(NAME fuzz.record_smoke
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh 60 ${CMAKE_BINARY_DIR}/fuzz)
set_tests_properties(fuzz.record_smoke PROPERTIES TIMEOUT 600)
add_test(NAME sanitize.unit
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/sanitize_unit.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/sanitize)
set_tests_properties(sanitize.unit PROPERTIES TIMEOUT 900)
