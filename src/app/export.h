// Palette export: a palette's name, colours and labels formatted as a downloadable file (JSON,
// CSS custom properties, SCSS, a Tailwind config, GIMP .gpl, Adobe .ase, SVG swatches, a PNG
// swatch strip of 120x120 px blocks, encoded by engine/encode.h). Pure formatting: no HTTP types,
// no I/O; thread-safe (no state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace pm::app {

struct ExportInput {
  std::string name;
  std::vector<std::string> colors;  // "#rrggbb"
  std::vector<std::string> labels;  // may be shorter than colors (then the hex is used)
};

struct ExportedFile {
  std::string body;
  std::string content_type;
  std::string extension;  // without the dot
};

// "json, css, scss, tailwind, gpl, ase, svg, png" (for error messages and docs).
std::string_view ExportFormatList();
bool IsExportFormat(std::string_view format);

// kInvalidArgument naming the accepted formats for an unknown or empty `format` (and, for png,
// a palette with no colours); kInternal when a stored colour is not "#rrggbb" (our own invariant).
Result<ExportedFile> ExportPalette(std::string_view format, const ExportInput& in);

// Parses the palette's stored colours and labels (written by us; malformed -> kInternal).
Result<ExportInput> ExportInputFromPalette(const store::Palette& p);

// ASCII letters, digits, '-', '_' kept, anything else (each byte) becomes '-'; "palette" when
// nothing but '-' remains. Safe inside a quoted Content-Disposition filename.
std::string ExportFileStem(std::string_view name);
// Lower-case ASCII alphanumerics, runs of anything else -> one '-', trimmed; "palette" if empty.
std::string ExportSlug(std::string_view name);

}  // namespace pm::app
