// Engine benchmark: decode, palette extraction and every region strategy on JPEGs of about 0.3,
// 3 and 12 megapixels made from a test image (upscaled or reduced with OpenCV, encoded with
// libjpeg at quality 90), plus the peak memory of a fresh process doing the whole analysis.
//
//   pm_engine_bench [--reps N] [--slow-reps N] [--working MAXDIM] [--image PATH]
//                   [--save-dir DIR] [--sizes MP,MP,...]
//
// For each size, medians of N runs (--slow-reps for grabcut and meanshift) of:
//   - full decode, and decode at the working scale (DecodeImage with max_dimension): the floor;
//   - palette extraction (ExtractPalette, default params) on the working-scale image;
//   - DetectRegions on the working-scale image, default params, for each of the 15 strategies
//     (template_match gets a centred box covering 1/8 of the image); a strategy that answers
//     with an error shows "error: <message>" in its cell;
// and each one's ratio to the floor. Peak RSS: the benchmark runs itself again
// (--rss-child FILE) in a fresh process that reads the JPEG, decodes it at the working scale,
// extracts the palette and runs every strategy once; its peak RSS (VmHWM) is reported against
// the full decoded image (width * height * 4 bytes), along with the RSS of a fresh process that
// only reads the file (libraries and runtime), so the analysis' own share is visible.
//
// Output: Markdown tables ready for docs/BENCHMARKS.md. --save-dir writes the generated JPEGs.
#include <sys/wait.h>
#include <unistd.h>

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
#include "engine/regions.h"

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

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
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

// One untimed run first (page faults, lazily bound symbols, caches), then the median of `reps`.
double MedianMs(int reps, const std::function<void()>& fn) {
  fn();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
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

// The request the benchmark makes for `strategy`: default parameters; template_match gets a box
// covering 1/8 of the image area (each side x 1/sqrt(8)), centred, in original-image pixels.
pm::engine::RegionRequest RequestFor(std::string_view strategy, const Image& work) {
  pm::engine::RegionRequest request;
  request.strategy = std::string(strategy);
  if (strategy == "template_match") {
    const int sw = work.source_width > 0 ? work.source_width : work.width;
    const int sh = work.source_height > 0 ? work.source_height : work.height;
    const double side = 1.0 / std::sqrt(8.0);
    pm::engine::Box box;
    box.width = std::max(4, static_cast<int>(sw * side));
    box.height = std::max(4, static_cast<int>(sh * side));
    box.x = (sw - box.width) / 2;
    box.y = (sh - box.height) / 2;
    request.template_box = box;
  }
  return request;
}

bool IsSlow(std::string_view strategy) { return strategy == "grabcut" || strategy == "meanshift"; }

// Markdown cells must not contain '|' or newlines.
std::string Cell(std::string text) {
  for (char& c : text) {
    if (c == '|') c = '/';
    if (c == '\n') c = ' ';
  }
  return text;
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// This process's peak resident set (VmHWM, KB): the high-water mark of its own address space
// since exec. (ru_maxrss would not do: Linux carries the pre-exec high-water mark over exec, and
// a child forked from the benchmark starts with the parent's pages, large images included.)
long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// --rss-child FILE [--working N] [--baseline]: the measured process. Reads FILE; unless
// --baseline, decodes it at the working scale, extracts the palette and runs every strategy once.
// Prints its peak RSS in KB.
int RssChild(const std::string& path, int working, bool baseline) {
  const std::vector<uint8_t> jpeg = ReadFile(path);
  if (!baseline) {
    const Image work = Unwrap(DecodeImage(jpeg, DecodeLimits{}, working), "working decode");
    Unwrap(pm::engine::ExtractPalette(work, {}), "extract");
    for (std::string_view strategy : pm::engine::kRegionStrategies) {
      (void)pm::engine::DetectRegions(work, RequestFor(strategy, work));  // errors are fine here
    }
  }
  std::printf("%ld\n", PeakRssKb());
  return 0;
}

// Peak RSS (KB) of a fresh run of this binary with `args`, as it reports it; -1 if it failed.
long ChildPeakRssKb(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int out[2];
  if (pipe(out) != 0) return -1;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[64];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
  close(out[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return -1;
  }
  return std::atol(text.c_str());
}

struct SizeResult {
  double megapixels = 0;
  std::string size, working_size;
  size_t jpeg_kb = 0;
  double full_ms = 0, floor_ms = 0, extract_ms = 0;
  long peak_rss_kb = -1, baseline_rss_kb = -1;
  double full_rgba_mb = 0;
  std::vector<std::string> strategy_cells;  // one per kRegionStrategies entry
};

}  // namespace

int main(int argc, char** argv) {
  int reps = 7;
  int slow_reps = 3;
  int working = 1024;
  std::string path = std::string(PM_TESTDATA_DIR) + "/images/fruits.jpg";
  std::string save_dir;
  std::vector<double> sizes = {0.3, 3.0, 12.0};
  std::string rss_child;
  bool baseline = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--baseline") {
      baseline = true;
    } else if (arg == "--reps" && has_value) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--slow-reps" && has_value) {
      slow_reps = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--working" && has_value) {
      working = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--image" && has_value) {
      path = argv[++i];
    } else if (arg == "--save-dir" && has_value) {
      save_dir = argv[++i];
    } else if (arg == "--rss-child" && has_value) {
      rss_child = argv[++i];
    } else if (arg == "--sizes" && has_value) {
      sizes.clear();
      for (char* s = std::strtok(argv[++i], ","); s != nullptr; s = std::strtok(nullptr, ",")) {
        sizes.push_back(std::atof(s));
      }
    } else {
      std::fprintf(stderr,
                   "usage: pm_engine_bench [--reps N] [--slow-reps N] [--working MAXDIM] "
                   "[--image PATH] [--save-dir DIR] [--sizes MP,MP,...]\n");
      return 2;
    }
  }
  if (!rss_child.empty()) return RssChild(rss_child, working, baseline);

  const Image source = Unwrap(DecodeImage(ReadFile(path), DecodeLimits{}), "decode source");
  std::fprintf(stderr, "source %s (%dx%d), working max_dimension %d, median of %d runs (%d for "
               "grabcut, meanshift)\n", path.c_str(), source.width, source.height, working, reps,
               slow_reps);

  char tmp_dir[] = "/tmp/pm_engine_bench_XXXXXX";
  if (mkdtemp(tmp_dir) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }

  std::vector<SizeResult> results;
  for (double mp : sizes) {
    SizeResult r;
    r.megapixels = mp;
    const cv::Mat rgb = Resized(source, mp);
    const std::vector<uint8_t> jpeg = EncodeJpeg(rgb, 90);
    r.jpeg_kb = jpeg.size() / 1024;
    r.size = std::to_string(rgb.cols) + "×" + std::to_string(rgb.rows);
    r.full_rgba_mb = double(rgb.cols) * rgb.rows * 4 / (1024.0 * 1024.0);
    const std::string name = "bench_" + Fmt("%g", mp) + "mp.jpg";
    if (!save_dir.empty()) WriteFile(save_dir + "/" + name, jpeg);
    const std::string jpeg_path = std::string(tmp_dir) + "/" + name;
    WriteFile(jpeg_path, jpeg);
    std::fprintf(stderr, "%s: %s, %zu KB\n", name.c_str(), r.size.c_str(), r.jpeg_kb);

    r.full_ms = MedianMs(reps, [&] { Unwrap(DecodeImage(jpeg, DecodeLimits{}), "full decode"); });
    r.floor_ms = MedianMs(reps, [&] {
      Unwrap(DecodeImage(jpeg, DecodeLimits{}, working), "working decode");
    });
    const Image work = Unwrap(DecodeImage(jpeg, DecodeLimits{}, working), "working decode");
    r.working_size = std::to_string(work.width) + "×" + std::to_string(work.height);
    r.extract_ms = MedianMs(reps, [&] { Unwrap(pm::engine::ExtractPalette(work, {}), "extract"); });

    for (std::string_view strategy : pm::engine::kRegionStrategies) {
      const pm::engine::RegionRequest request = RequestFor(strategy, work);
      auto first = pm::engine::DetectRegions(work, request);  // also warms up
      if (!first.ok()) {
        r.strategy_cells.push_back(Cell("error: " + first.error().message));
        std::fprintf(stderr, "  %-16s error: %s\n", std::string(strategy).c_str(),
                     first.error().message.c_str());
        continue;
      }
      // The first call above was the warm-up; MedianMs adds another only for the fast ones.
      const auto run = [&] { (void)pm::engine::DetectRegions(work, request); };
      double ms = 0;
      if (IsSlow(strategy)) {
        std::vector<double> times;
        for (int i = 0; i < slow_reps; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          run();
          times.push_back(std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(times.begin(), times.end());
        ms = times[times.size() / 2];
      } else {
        ms = MedianMs(reps, run);
      }
      std::string cell = Fmt("%.1f ms", ms) + " (" + Fmt("%.1f", ms / r.floor_ms) + "×), " +
                         std::to_string(first->regions.size()) + " reg.";
      if (strategy == "default") cell += " via " + first->used;
      r.strategy_cells.push_back(Cell(cell));
      std::fprintf(stderr, "  %-16s %s\n", std::string(strategy).c_str(), cell.c_str());
    }

    const std::string self = argv[0];
    const std::string w = std::to_string(working);
    r.peak_rss_kb = ChildPeakRssKb({self, "--rss-child", jpeg_path, "--working", w});
    r.baseline_rss_kb = ChildPeakRssKb({self, "--rss-child", jpeg_path, "--working", w, "--baseline"});
    std::remove(jpeg_path.c_str());
    results.push_back(std::move(r));
  }
  rmdir(tmp_dir);

  std::printf("Decode and extraction (working scale: longest side ≤ %d px; medians of %d)\n\n",
              working, reps);
  std::printf("| case | JPEG | full decode | decode at working scale (floor) | working size | "
              "extraction | extraction / floor |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const SizeResult& r : results) {
    std::printf("| %g MP JPEG %s | %zu KB | %.1f ms | %.1f ms | %s | %.1f ms | %.2f |\n",
                r.megapixels, r.size.c_str(), r.jpeg_kb, r.full_ms, r.floor_ms,
                r.working_size.c_str(), r.extract_ms, r.extract_ms / r.floor_ms);
  }

  std::printf("\nPeak RSS of a fresh process that reads the JPEG, decodes it at the working scale, "
              "extracts the palette and runs all 15 strategies once (VmHWM); baseline: a fresh "
              "process that only reads the file\n\n");
  std::printf("| case | full RGBA (w×h×4) | peak RSS | peak RSS / full RGBA | baseline RSS | "
              "(peak − baseline) / full RGBA |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const SizeResult& r : results) {
    const bool ok = r.peak_rss_kb > 0 && r.baseline_rss_kb > 0;
    const double peak_mb = r.peak_rss_kb / 1024.0, base_mb = r.baseline_rss_kb / 1024.0;
    std::printf("| %g MP JPEG %s | %.1f MB | %s | %s | %s | %s |\n", r.megapixels, r.size.c_str(),
                r.full_rgba_mb, ok ? Fmt("%.0f MB", peak_mb).c_str() : "failed",
                ok ? Fmt("%.2f", peak_mb / r.full_rgba_mb).c_str() : "n/a",
                ok ? Fmt("%.0f MB", base_mb).c_str() : "failed",
                ok ? Fmt("%.2f", (peak_mb - base_mb) / r.full_rgba_mb).c_str() : "n/a");
  }

  std::printf("\nRegion strategies on the working-scale image, default parameters (median of %d, "
              "%d for grabcut and meanshift; × = time / decode floor; reg. = regions found)\n\n",
              reps, slow_reps);
  std::printf("| strategy |");
  for (const SizeResult& r : results) std::printf(" %g MP (%s) |", r.megapixels, r.size.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < results.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (size_t s = 0; s < pm::engine::kRegionStrategies.size(); ++s) {
    std::printf("| %s |", std::string(pm::engine::kRegionStrategies[s]).c_str());
    for (const SizeResult& r : results) std::printf(" %s |", r.strategy_cells[s].c_str());
    std::printf("\n");
  }
  return 0;
}
