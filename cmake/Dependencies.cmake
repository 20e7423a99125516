# Third-party libraries, each as one imported target named pm::<lib>.
#
# The link set is chosen so the later fully static release build is a switch:
# OpenCV is linked by module (core, imgproc, saliency) rather than through
# OpenCV's CMake package, images are decoded with the codec libraries directly (no imgcodecs),
# and httplib / spdlog / CLI11 are included by exactly one .cc file each.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(JPEG REQUIRED IMPORTED_TARGET libjpeg)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp libwebpdemux)
pkg_check_modules(TIFF REQUIRED IMPORTED_TARGET libtiff-4)
find_package(SQLiteCpp REQUIRED)
find_package(spdlog REQUIRED)
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
find_library(HTTPLIB_LIBRARY NAMES cpp-httplib REQUIRED)
add_library(pm_httplib INTERFACE)
target_compile_definitions(pm_httplib INTERFACE CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT
                                                CPPHTTPLIB_BROTLI_SUPPORT)
target_link_libraries(pm_httplib INTERFACE ${HTTPLIB_LIBRARY} Threads::Threads)
