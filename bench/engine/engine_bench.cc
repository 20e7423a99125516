// Engine benchmark: decode and palette extraction on a 12 MP and a 0.5 MP JPEG made from
// testdata/images/fruits.jpg (upscaled with OpenCV, encoded with libjpeg at quality 90).
//
//   pm_engine_bench [--reps N] [--working MAXDIM] [--image PATH] [--save-dir DIR]
//
// --save-dir writes the generated JPEGs (bench_12mp.jpg, bench_0.5mp.jpg) for profiling.
//
// Reports the median of N runs for: full decode, decode at working scale (DecodeImage with
// max_dimension), palette extraction on the working-scale image (default params), and the ratio
// extraction / working-scale decode.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/image.h"
#include "engine/palette.h"

namespace {

using pm::engine::DecodeImage;
using pm::engine::DecodeLimits;
using pm::engine::Image;

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(1);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> EncodeJpeg(const cv::Mat& rgb, int quality) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &out, &size);
  cinfo.image_width = static_cast<JDIMENSION>(rgb.cols);
  cinfo.image_height = static_cast<JDIMENSION>(rgb.rows);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(rgb.ptr<uint8_t>(static_cast<int>(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> bytes(out, out + size);
  free(out);
  return bytes;
}

// An RGB source of about `megapixels`, keeping the aspect ratio.
cv::Mat Resized(const Image& src, double megapixels) {
  cv::Mat rgba(src.height, src.width, CV_8UC4, const_cast<uint8_t*>(src.rgba.data()));
  cv::Mat rgb;
  cv::cvtColor(rgba, rgb, cv::COLOR_RGBA2RGB);
  const double scale = std::sqrt(megapixels * 1e6 / (double(src.width) * src.height));
  cv::Mat out;
  cv::resize(rgb, out, cv::Size(), scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  return out;
}

double MedianMs(int reps, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

template <typename T>
T Unwrap(pm::Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 7;
  int working = 1024;
  std::string path = std::string(PM_TESTDATA_DIR) + "/images/fruits.jpg";
  std::string save_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps")) reps = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--working")) working = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--image")) path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--save-dir")) save_dir = argv[i + 1];
  }
  const Image source = Unwrap(DecodeImage(ReadFile(path), DecodeLimits{}), "decode source");

  std::printf("source %s (%dx%d), working max_dimension %d, median of %d runs\n\n", path.c_str(),
              source.width, source.height, working, reps);
  std::printf("%-9s %-11s %8s %11s %12s %12s %14s %10s %8s\n", "case", "size", "jpeg KB",
              "full ms", "working ms", "working px", "extract ms", "full-ext ms", "ext/dec");
  for (double mp : {12.0, 0.5}) {
    const cv::Mat rgb = Resized(source, mp);
    const std::vector<uint8_t> jpeg = EncodeJpeg(rgb, 90);
    if (!save_dir.empty()) {
      std::ofstream(save_dir + (mp > 1 ? "/bench_12mp.jpg" : "/bench_0.5mp.jpg"), std::ios::binary)
          .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    }
    const double full_ms = MedianMs(reps, [&] { Unwrap(DecodeImage(jpeg, DecodeLimits{}), "full decode"); });
    const double work_ms =
        MedianMs(reps, [&] { Unwrap(DecodeImage(jpeg, DecodeLimits{}, working), "working decode"); });
    const Image work = Unwrap(DecodeImage(jpeg, DecodeLimits{}, working), "working decode");
    const double ext_ms =
        MedianMs(reps, [&] { Unwrap(pm::engine::ExtractPalette(work, {}), "extract"); });
    // Extraction on the full-size image too: the bounded sample keeps K-means cost flat, the
    // filtering pass over all pixels is what grows.
    const Image full = Unwrap(DecodeImage(jpeg, DecodeLimits{}), "full decode");
    const double full_ext_ms =
        MedianMs(std::max(1, reps / 2), [&] { Unwrap(pm::engine::ExtractPalette(full, {}), "extract"); });
    char size[32], wsize[32];
    std::snprintf(size, sizeof size, "%dx%d", rgb.cols, rgb.rows);
    std::snprintf(wsize, sizeof wsize, "%dx%d", work.width, work.height);
    std::printf("%-9s %-11s %8zu %11.1f %12.1f %12s %14.1f %10.1f %8.2f\n",
                mp > 1 ? "12 MP" : "0.5 MP", size, jpeg.size() / 1024, full_ms, work_ms, wsize,
                ext_ms, full_ext_ms, ext_ms / work_ms);
  }
  return 0;
}
