#include "common/rfc3339.h"

namespace pm {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool DigitsAt(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  return AllDigits(s.substr(pos, n));
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<int64_t> ParseRfc3339Millis(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || !DigitsAt(s, 0, 4) || s[4] != '-' || !DigitsAt(s, 5, 2) || s[7] != '-' ||
      !DigitsAt(s, 8, 2) || (s[10] != 'T' && s[10] != 't') || !DigitsAt(s, 11, 2) || s[13] != ':' ||
      !DigitsAt(s, 14, 2) || s[16] != ':' || !DigitsAt(s, 17, 2)) {
    return std::nullopt;
  }
  const int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    const size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < n ? s[start + i] - '0' : 0);
  }
  int64_t offset_min = 0;
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset_min = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && DigitsAt(zone, 1, 2) && zone[3] == ':' &&
             DigitsAt(zone, 4, 2)) {
    const int oh = Digits(zone, 1, 2), om = Digits(zone, 4, 2);
    if (oh > 23 || om > 59) return std::nullopt;
    offset_min = (zone[0] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                          offset_min * 60;
  return seconds * 1000 + millis;
}

}  // namespace pm
