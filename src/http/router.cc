#include "http/router.h"

namespace pm::http {
namespace {
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  if (!path.empty() && path.front() == '/') i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}
}  // namespace

void Router::Add(Route route) {
  Compiled c;
  for (auto seg : Split(route.pattern)) c.segments.emplace_back(seg);
  compiled_.push_back(std::move(c));
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  auto segs = Split(path);
  for (size_t r = 0; r < routes_.size(); ++r) {
    const auto& pattern = compiled_[r].segments;
    if (pattern.size() != segs.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (segs[i].empty()) ok = false;
        else params.emplace_back(p.substr(1, p.size() - 2), std::string(segs[i]));
      } else if (p != segs[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    bool method_ok = routes_[r].method == method || (method == "HEAD" && routes_[r].method == "GET");
    if (!method_ok) {
      m.path_matched = true;
      continue;
    }
    m.route = &routes_[r];
    m.params = std::move(params);
    return m;
  }
  return m;
}

}  // namespace pm::http
