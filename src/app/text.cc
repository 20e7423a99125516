#include "app/text.h"

namespace pm::app {

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

int Utf8Length(std::string_view s) {
  int count = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) { extra = 0; cp = c; }
    else if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return -1;
    if (i + extra >= s.size() && extra > 0) return -1;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return -1;
    }
    i += extra + 1;
    ++count;
  }
  return count;
}

Result<std::string> ValidateName(std::string_view raw, std::string_view field, int max_chars) {
  std::string name = Trim(raw);
  int len = Utf8Length(name);
  if (len < 0) return MakeError(ErrorCode::kInvalidArgument, std::string(field) + " must be valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) {
      return MakeError(ErrorCode::kInvalidArgument, std::string(field) + " must not contain control characters");
    }
  }
  if (len < 1 || len > max_chars) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " must be 1 to " + std::to_string(max_chars) + " characters");
  }
  return name;
}

std::string SwatchLabel(int index) {
  std::string out;
  int n = index + 1;
  while (n > 0) {
    int rem = (n - 1) % 26;
    out.insert(out.begin(), static_cast<char>('A' + rem));
    n = (n - 1) / 26;
  }
  return out;
}

}  // namespace pm::app
