// Small text helpers shared by the use cases.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace pm::app {

std::string Trim(std::string_view s);
// Number of Unicode code points, or -1 if `s` is not valid UTF-8.
int Utf8Length(std::string_view s);
// A display name: trimmed, valid UTF-8, no control characters, 1..max_chars code points.
// `field` names the field in the error message.
Result<std::string> ValidateName(std::string_view raw, std::string_view field, int max_chars);
// Swatch labels: 0 -> "A", 25 -> "Z", 26 -> "AA", ...
std::string SwatchLabel(int index);

}  // namespace pm::app
