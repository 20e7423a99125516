#include "objects/s3/s3_xml.h"

#include <charconv>

namespace pm::objects::s3 {

namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Parses all of `s` as a non-negative integer in `base`.
template <typename T>
std::optional<T> ParseNumber(std::string_view s, int base = 10) {
  T value{};
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> ToMillis(int y, int mo, int d, int h, int mi, int s, int ms) {
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  int64_t days = DaysFromCivil(y, mo, d);
  return ((days * 24 + h) * 60 + mi) * 60'000 + int64_t{s} * 1000 + ms;
}

std::optional<int> Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  return ParseNumber<int>(s.substr(pos, n));
}

}  // namespace

std::optional<std::string> XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, amp - i));
    size_t semi = text.find(';', amp);
    if (semi == std::string_view::npos || semi - amp > 10) return std::nullopt;
    std::string_view entity = text.substr(amp + 1, semi - amp - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() >= 2 && entity[0] == '#') {
      std::optional<uint32_t> cp = (entity[1] == 'x' || entity[1] == 'X')
                                       ? ParseNumber<uint32_t>(entity.substr(2), 16)
                                       : ParseNumber<uint32_t>(entity.substr(1), 10);
      if (!cp || *cp == 0 || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return std::nullopt;
      AppendUtf8(out, *cp);
    } else {
      return std::nullopt;
    }
    i = semi + 1;
  }
  return out;
}

std::optional<std::string_view> XmlNextElement(std::string_view xml, std::string_view name, size_t* pos) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string empty = "<" + std::string(name) + "/>";
  const std::string close = "</" + std::string(name) + ">";
  size_t start = xml.find(open, *pos);
  size_t empty_at = xml.find(empty, *pos);
  if (empty_at != std::string_view::npos && (start == std::string_view::npos || empty_at < start)) {
    *pos = empty_at + empty.size();
    return std::string_view();
  }
  if (start == std::string_view::npos) return std::nullopt;
  size_t text_start = start + open.size();
  size_t end = xml.find(close, text_start);
  if (end == std::string_view::npos) return std::nullopt;
  *pos = end + close.size();
  return xml.substr(text_start, end - text_start);
}

std::optional<std::string> XmlFirstText(std::string_view xml, std::string_view name) {
  size_t pos = 0;
  auto raw = XmlNextElement(xml, name, &pos);
  if (!raw) return std::nullopt;
  return XmlUnescape(*raw);
}

std::optional<ListPage> ParseListObjectsV2(std::string_view xml) {
  ListPage page;
  size_t pos = 0;
  // The fields of the page itself are outside every <Contents>; cut those out first so a
  // top-level search can never land inside an object's entry.
  std::string outside;
  while (true) {
    size_t before = pos;
    auto contents = XmlNextElement(xml, "Contents", &pos);
    if (!contents) {
      outside.append(xml.substr(before));
      break;
    }
    outside.append(xml.substr(before, xml.find("<Contents>", before) - before));
    auto key = XmlFirstText(*contents, "Key");
    auto size_text = XmlFirstText(*contents, "Size");
    auto modified_text = XmlFirstText(*contents, "LastModified");
    if (!key || !size_text || !modified_text) return std::nullopt;
    auto size = ParseNumber<int64_t>(*size_text);
    auto modified = ParseIso8601Millis(*modified_text);
    if (!size || *size < 0 || !modified) return std::nullopt;
    page.objects.push_back({std::move(*key), *size, *modified});
  }
  auto truncated = XmlFirstText(outside, "IsTruncated");
  page.truncated = truncated && *truncated == "true";
  if (page.truncated) {
    auto token = XmlFirstText(outside, "NextContinuationToken");
    if (!token || token->empty()) return std::nullopt;
    page.next_token = std::move(*token);
  }
  return page;
}

std::optional<int64_t> ParseIso8601Millis(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff...]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
      t.back() != 'Z') {
    return std::nullopt;
  }
  auto y = Digits(t, 0, 4), mo = Digits(t, 5, 2), d = Digits(t, 8, 2);
  auto h = Digits(t, 11, 2), mi = Digits(t, 14, 2), s = Digits(t, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  int ms = 0;
  std::string_view rest = t.substr(19, t.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2) return std::nullopt;
    std::string_view frac = rest.substr(1);
    for (char c : frac) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    std::string three(frac.substr(0, 3));
    three.resize(3, '0');
    ms = *ParseNumber<int>(three);
  }
  return ToMillis(*y, *mo, *d, *h, *mi, *s, ms);
}

std::optional<int64_t> ParseHttpDateMillis(std::string_view t) {
  // "Wed, 21 Oct 2015 07:28:00 GMT"
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' ||
      t[19] != ':' || t[22] != ':' || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (t.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  auto d = Digits(t, 5, 2), y = Digits(t, 12, 4);
  auto h = Digits(t, 17, 2), mi = Digits(t, 20, 2), s = Digits(t, 23, 2);
  if (month == 0 || !d || !y || !h || !mi || !s) return std::nullopt;
  return ToMillis(*y, month, *d, *h, *mi, *s, 0);
}

}  // namespace pm::objects::s3
