-- premake5.lua — the build of vane.
-- Works with premake5 and with Debian's premake4:
--   premake4 --file=premake5.lua gmake && make -C build config=release
-- The top-level Makefile does this for you (and generates build/gen/embedded_data.c
-- from db/, scripts/, rules/ and engine/lib/lua/ first).

local LUA_INC = "/usr/include/lua5.4"
local XML_INC = "/usr/include/libxml2"
-- libcurl is not linked: engine/fetch/curl_lazy.c loads it when first called.
local SYSLIBS = { "lua5.4", ":liblua5.4-cjson.a", "sqlite3", "xml2", "pcre2-8", "stemmer", "opencc", "zstd", "crypt", "m", "dl" }

solution "vane"
  location "build"
  configurations { "release", "debug", "sanitize" }
  language "C"
  includedirs { "engine", LUA_INC, XML_INC, "/usr/include/postgresql" }
  buildoptions { "-std=c11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE" }

  configuration "release"
    buildoptions { "-O2", "-g" }
    defines { "NDEBUG" }
    objdir "build/obj/release"
  configuration "debug"
    buildoptions { "-O0", "-g3" }
    objdir "build/obj/debug"
  configuration "sanitize"
    buildoptions { "-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                   "-fno-sanitize-recover=undefined" }
    linkoptions { "-fsanitize=address,undefined" }
    objdir "build/obj/sanitize"
  configuration {}

  -- Everything but main(), shared by the program and the unit tests.
  project "vanecore"
    kind "StaticLib"
    files { "engine/**.c", "engine/**.h", "build/gen/embedded_data.c" }
    excludes { "engine/main.c" }
    configuration "release"
      targetdir "build/lib/release"
    configuration "debug"
      targetdir "build/lib/debug"
    configuration "sanitize"
      targetdir "build/lib/sanitize"
    configuration {}

  project "vane"
    kind "ConsoleApp"
    files { "engine/main.c" }
    links { "vanecore" }
    links(SYSLIBS)
    configuration "release"
      targetdir "bin"
    configuration "debug"
      targetdir "bin/debug"
    configuration "sanitize"
      targetdir "bin/sanitize"
    configuration {}

  -- One cmocka program per tests/test_*.c, named after the file.
  for _, path in ipairs(os.matchfiles("tests/test_*.c")) do
    local name = path:match("([^/]+)%.c$")
    project(name)
      kind "ConsoleApp"
      files { path }
      links { "vanecore", "cmocka" }
      links(SYSLIBS)
      configuration "release"
        targetdir "build/tests/release"
      configuration "debug"
        targetdir "build/tests/debug"
      configuration "sanitize"
        targetdir "build/tests/sanitize"
      configuration {}
  end

-- ---- benchmarks (make bench; added with tests/bench/) ---------------------
-- One program per tests/bench/bench_*.c, named after the file, linked like
-- the tests (without cmocka), built into build/bench/<config>/.
for _, path in ipairs(os.matchfiles("tests/bench/bench_*.c")) do
  local name = path:match("([^/]+)%.c$")
  project(name)
    kind "ConsoleApp"
    files { path }
    links { "vanecore" }
    links(SYSLIBS)
    configuration "release"
      targetdir "build/bench/release"
    configuration "debug"
      targetdir "build/bench/debug"
    configuration "sanitize"
      targetdir "build/bench/sanitize"
    configuration {}
end
