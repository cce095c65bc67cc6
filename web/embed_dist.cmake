# Writes a C++ source holding every file of the built console (web/dist) as a byte array, keyed by
# its path under dist ("index.html", "assets/index-abc.js"); no dist gives an empty map, and khien
# then answers / with 503 "console not built".
# -DOUT=<file.cpp> -DDIST=<web/dist>
set(body "// Generated from web/dist at build time by web/embed_dist.cmake; edit web/, not this.\n#include <map>\n#include <string>\n#include <string_view>\n\nnamespace khien {\n\nnamespace {\n")
set(entries "")
set(n 0)
if(EXISTS "${DIST}/index.html")
  file(GLOB_RECURSE files RELATIVE "${DIST}" "${DIST}/*")
  list(SORT files)
  foreach(rel ${files})
    file(READ "${DIST}/${rel}" hex HEX)
    string(LENGTH "${hex}" hexlen)
    math(EXPR len "${hexlen} / 2")
    # Bytes, not text: the bundle holds UTF-8 and any byte sequence must come through unchanged.
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
    if(len EQUAL 0)
      set(bytes "0")
    endif()
    string(APPEND body "const char file_${n}[] = {${bytes}};\n")
    string(APPEND entries "      {\"${rel}\", std::string_view(file_${n}, ${len})},\n")
    math(EXPR n "${n} + 1")
  endforeach()
endif()
string(APPEND body "}  // namespace\n\nconst std::map<std::string, std::string_view>& embedded_console_files() {\n  static const std::map<std::string, std::string_view> files{\n${entries}  };\n  return files;\n}\n\n}  // namespace khien\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
