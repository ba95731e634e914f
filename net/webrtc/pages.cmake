# The built-in index and player pages (net/webrtc/pages/*.html), compiled into ringcastd: each
# file becomes a C++ raw string literal in a generated pages.cc. Editing a page re-runs the
# configure step (CMAKE_CONFIGURE_DEPENDS), so the next build embeds it.
# Tests: tests/unit/net/webrtc/pages_test.cc; browser tests: tests/e2e.
set(ringcast_pages_dir ${CMAKE_CURRENT_LIST_DIR}/pages)
set(RINGCAST_PAGE_DELIMITER "ringcast_html")  # R"ringcast_html(...)ringcast_html"
foreach(ringcast_page player index)
  set(ringcast_page_file ${ringcast_pages_dir}/${ringcast_page}.html)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ringcast_page_file})
  file(READ ${ringcast_page_file} ringcast_page_html)
  string(FIND "${ringcast_page_html}" ")${RINGCAST_PAGE_DELIMITER}\"" ringcast_page_clash)
  if(NOT ringcast_page_clash EQUAL -1)
    message(FATAL_ERROR "${ringcast_page_file} contains )${RINGCAST_PAGE_DELIMITER}\", which "
                        "would end the raw string it is embedded in: change "
                        "RINGCAST_PAGE_DELIMITER in ${CMAKE_CURRENT_LIST_FILE}")
  endif()
  string(TOUPPER ${ringcast_page} ringcast_page_upper)
  set(RINGCAST_${ringcast_page_upper}_HTML "${ringcast_page_html}")
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/pages.cc.in ${CMAKE_CURRENT_BINARY_DIR}/pages.cc @ONLY)

add_library(ringcast_webrtc_pages STATIC ${CMAKE_CURRENT_BINARY_DIR}/pages.cc)

# net/ is configured before tests/, which defines ringcast_unit_test: register the test once the
# top-level CMakeLists.txt is done.
function(ringcast_webrtc_pages_test)
  ringcast_unit_test(net_webrtc_pages_test ${PROJECT_SOURCE_DIR}/tests/unit/net/webrtc/pages_test.cc
                     LIBS ringcast_webrtc_pages)
  target_compile_definitions(net_webrtc_pages_test PRIVATE
    RINGCAST_WEBRTC_PAGES_DIR="${PROJECT_SOURCE_DIR}/net/webrtc/pages")
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL ringcast_webrtc_pages_test)
