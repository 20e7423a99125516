# Third-party libraries, each as one imported target named pm::<lib>.
#
# The link set is chosen so that the static release build (PM_STATIC) is a switch:
# OpenCV is linked by module (core, imgproc, saliency) rather than through
# OpenCV's CMake package, images are decoded with the codec libraries directly (no imgcodecs),
# and httplib / spdlog / CLI11 are included by exactly one .cc file each.
#
# PM_STATIC (ON in the release and ci presets) links all of them statically, leaving only glibc
# shared: see "Static build" at the end of this file and docs/ARCHITECTURE.md.
option(PM_STATIC "Link every library statically except glibc (the shipped binary)" OFF)

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(JPEG REQUIRED IMPORTED_TARGET libjpeg)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp libwebpdemux)
pkg_check_modules(TIFF REQUIRED IMPORTED_TARGET libtiff-4)
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
find_package(SQLiteCpp REQUIRED)
find_package(spdlog REQUIRED)
# spdlog (included only by common/log.cc): Debian's compiled shared library, or header-only with a
# header-only fmt in the static build.
add_library(pm_spdlog INTERFACE)
if(PM_STATIC)
  find_package(fmt REQUIRED)
  # Not spdlog::spdlog_header_only: it links the shared fmt::fmt.
  target_compile_definitions(pm_spdlog INTERFACE SPDLOG_FMT_EXTERNAL)
  target_link_libraries(pm_spdlog INTERFACE fmt::fmt-header-only Threads::Threads)
else()
  target_link_libraries(pm_spdlog INTERFACE spdlog::spdlog)
endif()
find_package(nlohmann_json REQUIRED)
# toml++ is used header-only (in one .cc): Debian's CMake package would link its shared library,
# which the static release build cannot use.
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
add_library(pm_tomlplusplus INTERFACE)
target_include_directories(pm_tomlplusplus SYSTEM INTERFACE ${TOMLPP_INCLUDE_DIR})
target_compile_definitions(pm_tomlplusplus INTERFACE TOML_HEADER_ONLY=1)
find_package(CLI11 REQUIRED)

# giflib ships no pkg-config file.
find_library(GIF_LIBRARY NAMES gif REQUIRED)
add_library(pm_gif INTERFACE)
target_link_libraries(pm_gif INTERFACE ${GIF_LIBRARY})

# OpenCV: include dir as SYSTEM (silences C++20 enum warnings in its headers) and only the
# modules we use.
find_path(OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
add_library(pm_opencv INTERFACE)
target_include_directories(pm_opencv SYSTEM INTERFACE ${OPENCV_INCLUDE_DIR})
# saliency (spectral residual) comes from opencv-contrib; it needs only imgproc and core. Not
# ximgproc: on Debian it NEEDs imgcodecs, video and calib3d (and through them dnn, gdal, ...),
# which took the binary from 66 to 175 shared libraries and start-up from ~130 to ~400 ms for
# one function, SLIC, now src/engine/slic.cc.
foreach(mod saliency imgproc core)
  find_library(OPENCV_${mod}_LIB NAMES opencv_${mod} REQUIRED)
  target_link_libraries(pm_opencv INTERFACE ${OPENCV_${mod}_LIB})
endforeach()

# cpp-httplib: Debian's header is declarations only; the code is in libcpp-httplib.so, built
# with OpenSSL, zlib and brotli support, and the class layouts depend on these macros.
add_library(pm_httplib INTERFACE)
target_compile_definitions(pm_httplib INTERFACE CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT
                                                CPPHTTPLIB_BROTLI_SUPPORT)
if(NOT PM_STATIC)
  find_library(HTTPLIB_LIBRARY NAMES cpp-httplib REQUIRED)
  target_link_libraries(pm_httplib INTERFACE ${HTTPLIB_LIBRARY} Threads::Threads)
endif()

# --- Static build ---------------------------------------------------------------------------
# Everything but glibc is linked from .a files, so the binary runs in an empty root holding only
# the glibc files ldd names (packaging/rootfs.sh, tests/packaging/static_binary.sh). The targets
# above keep their names; only what they link changes. scripts/static-deps.sh builds what Debian
# has no usable .a for (oneTBB, a minimal libcurl, the code half of cpp-httplib) from Debian's
# source packages, once, into PM_STATIC_DEPS_DIR (shared by the presets; rebuilt only when the
# Debian versions change).
if(PM_STATIC)
  if(PM_SANITIZE)
    message(FATAL_ERROR "PM_STATIC and PM_SANITIZE exclude each other (ASan needs its shared runtime)")
  endif()
  # libavif (and dav1d) are shared-only on Debian: the static build has no AVIF decoder, and AVIF
  # uploads get the engine's clear "not compiled into this build" 415 (engine/decode_avif_none.cc).
  if(PM_ENGINE_AVIF)
    message(STATUS "PM_STATIC: PM_ENGINE_AVIF turned OFF (libavif is shared-only on Debian)")
  endif()
  set(PM_ENGINE_AVIF OFF CACHE BOOL "Decode AVIF with libavif (shared-only on Debian)" FORCE)
  set(PM_STATIC_DEPS_DIR "${CMAKE_SOURCE_DIR}/build/static-deps" CACHE PATH
      "Where scripts/static-deps.sh builds libtbb.a, libcurl.a and the split cpp-httplib")
  execute_process(COMMAND ${CMAKE_SOURCE_DIR}/scripts/static-deps.sh ${PM_STATIC_DEPS_DIR}
                  RESULT_VARIABLE pm_static_deps_rc)
  if(NOT pm_static_deps_rc EQUAL 0)
    message(FATAL_ERROR "scripts/static-deps.sh failed (see its message above); the static build "
                        "needs it. Configure with -DPM_STATIC=OFF for a dynamically linked build.")
  endif()
  set(pm_deps ${PM_STATIC_DEPS_DIR}/prefix)

  # The C++ runtime and libgcc go into the binary, and every target (tests too) links this way.
  # --gc-sections drops the archive members' unreferenced sections: -2.1 MB stripped.
  add_link_options(-static-libstdc++ -static-libgcc -Wl,--gc-sections)

  # pm_static_a(<var> <name>...): the full paths of lib<name>.a, or a configure error.
  function(pm_static_a out)
    set(paths "")
    foreach(name ${ARGN})
      find_library(PM_STATIC_LIB_${name} NAMES lib${name}.a
                   HINTS ${pm_deps}/lib /usr/lib/postgresql/15/lib /usr/lib/gcc/${CMAKE_LIBRARY_ARCHITECTURE}/${CMAKE_CXX_COMPILER_VERSION_MAJOR}
                   NO_CACHE)
      if(NOT PM_STATIC_LIB_${name})
        message(FATAL_ERROR "PM_STATIC: lib${name}.a not found (scripts/install-deps.sh installs "
                            "the packages that ship it)")
      endif()
      list(APPEND paths ${PM_STATIC_LIB_${name}})
    endforeach()
    set(${out} ${paths} PARENT_SCOPE)
  endfunction()
  # pm_static_link(<imported target> <name>...): the target links exactly these .a files.
  function(pm_static_link target)
    pm_static_a(paths ${ARGN})
    set_property(TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES ${paths} Threads::Threads dl)
  endfunction()

  string(REGEX MATCH "^[0-9]+" CMAKE_CXX_COMPILER_VERSION_MAJOR ${CMAKE_CXX_COMPILER_VERSION})
  pm_static_a(PM_OPENSSL_A ssl crypto z)

  # Symbols that static archives reference on code paths a server never takes (see the file).
  add_library(pm_static_stubs STATIC ${CMAKE_SOURCE_DIR}/src/static/link_stubs.c)

  pm_static_link(PkgConfig::SODIUM sodium)
  pm_static_link(PkgConfig::SQLITE3 sqlite3)
  pm_static_a(sqlite_a sqlite3)
  set_property(TARGET SQLite::SQLite3 PROPERTY IMPORTED_LOCATION ${sqlite_a})
  pm_static_link(PkgConfig::JPEG jpeg)
  pm_static_link(PkgConfig::PNG png z)
  pm_static_link(PkgConfig::WEBP webpdemux webp)
  pm_static_link(PkgConfig::TIFF tiff webp Lerc jbig zstd lzma deflate jpeg z)
  pm_static_a(gif_a gif)
  set_property(TARGET pm_gif PROPERTY INTERFACE_LINK_LIBRARIES ${gif_a})
  pm_static_link(PkgConfig::LIBCRYPTO crypto z)

  # libpq + PostgreSQL's own common/port code, one version, unpacked by static-deps.sh from the
  # libpq-dev and postgresql-server-dev-15 packages (found in ${pm_deps}/lib first); GSSAPI and
  # LDAP are stubs (link_stubs.c): every connection sets gssencmode=disable
  # (store/postgres/pg_connection.cc).
  pm_static_a(pq_a pq pgcommon_shlib pgport_shlib)
  # The stubs archive by path right after libpq (a target can be placed earlier in the link line
  # when another library also links it, and then libpq's gss_* references stay unresolved); the
  # target itself too, for the build order.
  set_property(TARGET PkgConfig::LIBPQ PROPERTY INTERFACE_LINK_LIBRARIES
               ${pq_a} $<TARGET_FILE:pm_static_stubs> ${PM_OPENSSL_A} pm_static_stubs Threads::Threads)

  # libcurl from static-deps.sh: its own headers (curl/curl.h) before Debian's.
  pm_static_a(curl_a curl)
  set_target_properties(PkgConfig::CURL PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${pm_deps}/include
    INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB
    INTERFACE_COMPILE_OPTIONS ""
    INTERFACE_LINK_LIBRARIES "${curl_a};${PM_OPENSSL_A};Threads::Threads")

  # OpenCV core/imgproc/saliency .a; core needs LAPACK/BLAS (Fortran runtime) and TBB, and
  # references three GLX functions (stubbed).
  pm_static_a(cv_a opencv_saliency opencv_imgproc opencv_core tbb lapack blas gfortran quadmath z)
  set_property(TARGET pm_opencv PROPERTY INTERFACE_LINK_LIBRARIES
               ${cv_a} $<TARGET_FILE:pm_static_stubs> pm_static_stubs Threads::Threads dl)

  # cpp-httplib: Debian's patched full header, split by static-deps.sh; its httplib.h (SYSTEM, so
  # searched before /usr/include) replaces Debian's declarations-only one, and httplib.cc is
  # compiled once here, with the same CPPHTTPLIB_* macros, as third-party code (no warnings).
  add_library(pm_httplib_code STATIC ${pm_deps}/src/httplib.cc)
  target_include_directories(pm_httplib_code SYSTEM PUBLIC ${pm_deps}/include)
  target_compile_definitions(pm_httplib_code PUBLIC CPPHTTPLIB_OPENSSL_SUPPORT
                             CPPHTTPLIB_ZLIB_SUPPORT CPPHTTPLIB_BROTLI_SUPPORT)
  target_compile_options(pm_httplib_code PRIVATE -w)
  pm_static_a(httplib_deps_a brotlienc brotlidec brotlicommon)
  target_link_libraries(pm_httplib_code PUBLIC ${httplib_deps_a} ${PM_OPENSSL_A} Threads::Threads)
  target_link_libraries(pm_httplib INTERFACE pm_httplib_code)
endif()
