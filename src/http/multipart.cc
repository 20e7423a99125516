#include "http/multipart.h"

#include <algorithm>
#include <cctype>

namespace pm::http {
namespace {

constexpr size_t kMaxHeaderBlock = 16 * 1024;

Error Malformed(const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "the multipart body is malformed: " + why);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads `; key=value` / `; key="quoted \" value"` parameters after the first token of a header.
// Calls out(key lower-cased, value) for each.
template <typename Fn>
bool ForEachParam(std::string_view v, Fn out) {
  size_t i = v.find(';');
  while (i != std::string_view::npos && i < v.size()) {
    ++i;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    size_t eq = v.find('=', i);
    if (eq == std::string_view::npos) return true;
    std::string key = Lower(TrimWs(v.substr(i, eq - i)));
    i = eq + 1;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      ++i;
      bool closed = false;
      while (i < v.size()) {
        char c = v[i++];
        if (c == '\\' && i < v.size()) {
          value += v[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return false;
      i = v.find(';', i);
    } else {
      size_t end = v.find(';', i);
      value = std::string(TrimWs(v.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end;
    }
    out(key, value);
  }
  return true;
}

}  // namespace

Result<std::string> MultipartParser::BoundaryFrom(std::string_view content_type) {
  std::string boundary;
  bool ok = ForEachParam(content_type, [&](const std::string& k, const std::string& v) {
    if (k == "boundary") boundary = v;
  });
  if (!ok || boundary.empty() || boundary.size() > 70) {
    return MakeError(ErrorCode::kInvalidArgument, "multipart/form-data needs a boundary parameter of 1 to 70 characters");
  }
  return boundary;
}

MultipartParser::MultipartParser(std::string boundary, OnPart on_part, OnData on_data)
    : delimiter_("\r\n--" + boundary), on_part_(std::move(on_part)), on_data_(std::move(on_data)) {}

Status MultipartParser::Fail(Error e) {
  state_ = State::kFailed;
  error_ = std::move(e);
  return error_;
}

Status MultipartParser::Feed(std::string_view chunk) {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kDone) return Status::Ok();  // the epilogue is ignored
  buf_.append(chunk);
  return Run();
}

Status MultipartParser::Finish() {
  if (state_ == State::kFailed) return error_;
  if (state_ != State::kDone) return Fail(Malformed(saw_part_ ? "the body ended inside a part" : "no parts"));
  return Status::Ok();
}

Status MultipartParser::ParseHeaders(std::string_view block) {
  PartHeaders h;
  bool disposition = false;
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail(Malformed("a part header has no ':'"));
    std::string name = Lower(TrimWs(line.substr(0, colon)));
    std::string_view value = TrimWs(line.substr(colon + 1));
    if (name == "content-disposition") {
      std::string_view type = TrimWs(value.substr(0, value.find(';')));
      if (Lower(type) != "form-data") return Fail(Malformed("a part is not form-data"));
      disposition = true;
      bool ok = ForEachParam(value, [&](const std::string& k, const std::string& v) {
        if (k == "name") h.name = v;
        else if (k == "filename") h.filename = v;
      });
      if (!ok) return Fail(Malformed("unterminated quoted string in Content-Disposition"));
    } else if (name == "content-type") {
      h.content_type = std::string(value);
    }
  }
  if (!disposition || h.name.empty()) return Fail(Malformed("a part has no Content-Disposition name"));
  saw_part_ = true;
  Status st = on_part_(h);
  if (!st.ok()) return Fail(st.error());
  return Status::Ok();
}

Status MultipartParser::Run() {
  for (;;) {
    switch (state_) {
      case State::kPreamble: {
        // The first delimiter may start the body (no leading CRLF) or follow a preamble.
        std::string_view first(delimiter_.data() + 2, delimiter_.size() - 2);
        if (buf_.size() >= first.size() && buf_.compare(0, first.size(), first) == 0) {
          buf_.erase(0, first.size());
          state_ = State::kAfterDelimiter;
          break;
        }
        size_t pos = buf_.find(delimiter_);
        if (pos == std::string::npos) {
          // Keep only what could still be the start of a delimiter.
          if (buf_.size() > delimiter_.size()) buf_.erase(0, buf_.size() - delimiter_.size());
          if (buf_.size() > kMaxHeaderBlock) return Fail(Malformed("no boundary found"));
          return Status::Ok();
        }
        buf_.erase(0, pos + delimiter_.size());
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kAfterDelimiter: {
        // "--" closes the body; otherwise optional spaces/tabs, then CRLF starts a part.
        if (buf_.size() < 2) return Status::Ok();
        if (buf_.compare(0, 2, "--") == 0) {
          state_ = State::kDone;
          buf_.clear();
          return Status::Ok();
        }
        size_t i = 0;
        while (i < buf_.size() && (buf_[i] == ' ' || buf_[i] == '\t')) ++i;
        if (i + 2 > buf_.size()) {
          if (i > 256) return Fail(Malformed("padding after a boundary"));
          return Status::Ok();
        }
        if (buf_.compare(i, 2, "\r\n") != 0) return Fail(Malformed("a boundary is not followed by CRLF"));
        buf_.erase(0, i + 2);
        state_ = State::kHeaders;
        break;
      }
      case State::kHeaders: {
        size_t end = buf_.find("\r\n\r\n");
        if (end == std::string::npos) {
          // A part with no headers at all starts straight with CRLF.
          if (buf_.size() >= 2 && buf_.compare(0, 2, "\r\n") == 0) return Fail(Malformed("a part has no headers"));
          if (buf_.size() > kMaxHeaderBlock) return Fail(Malformed("part headers are too long"));
          return Status::Ok();
        }
        std::string block = buf_.substr(0, end);
        buf_.erase(0, end + 4);
        PM_RETURN_IF_ERROR(ParseHeaders(block));
        state_ = State::kBody;
        break;
      }
      case State::kBody: {
        size_t pos = buf_.find(delimiter_);
        if (pos == std::string::npos) {
          // Everything except a possible partial delimiter at the end is content.
          if (buf_.size() >= delimiter_.size()) {
            size_t emit = buf_.size() - (delimiter_.size() - 1);
            Status st = on_data_(std::string_view(buf_.data(), emit));
            if (!st.ok()) return Fail(st.error());
            buf_.erase(0, emit);
          }
          return Status::Ok();
        }
        if (pos > 0) {
          Status st = on_data_(std::string_view(buf_.data(), pos));
          if (!st.ok()) return Fail(st.error());
        }
        buf_.erase(0, pos + delimiter_.size());
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kDone:
        buf_.clear();
        return Status::Ok();
      case State::kFailed:
        return error_;
    }
  }
}

}  // namespace pm::http
