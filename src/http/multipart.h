// A streaming multipart/form-data parser (RFC 7578 / RFC 2046).
//
// Written by hand because cpp-httplib 0.11.4's parser rejects valid bodies whose close delimiter
// is not followed by CRLF (RFC 2046 makes that CRLF optional; Node 18's fetch omits it), and no
// packaged library parses multipart incrementally with bounded memory. Memory use is bounded by
// the header limit plus one delimiter, whatever the part sizes.
//
// Not thread-safe; one parser per request body.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pm::http {

struct PartHeaders {
  std::string name;          // form field name (Content-Disposition name=)
  std::string filename;      // filename= if present
  std::string content_type;  // Content-Type of the part, "" if absent
};

class MultipartParser {
 public:
  using OnPart = std::function<Status(const PartHeaders&)>;
  using OnData = std::function<Status(std::string_view)>;

  // The boundary parameter of a multipart/form-data Content-Type; kInvalidArgument if missing
  // or malformed (RFC 2046: 1-70 characters).
  static Result<std::string> BoundaryFrom(std::string_view content_type);

  MultipartParser(std::string boundary, OnPart on_part, OnData on_data);

  // Feeds the next bytes of the body. An error from a callback, or malformed framing, stops the
  // parser: later calls return the same error.
  Status Feed(std::string_view chunk);
  // The body has ended: kInvalidArgument unless the close delimiter was seen.
  Status Finish();

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kDone, kFailed };
  Status Fail(Error e);
  Status ParseHeaders(std::string_view block);
  Status Run();

  std::string delimiter_;  // "\r\n--" + boundary
  OnPart on_part_;
  OnData on_data_;
  State state_ = State::kPreamble;
  std::string buf_;
  Error error_{ErrorCode::kInvalidArgument, ""};
  bool saw_part_ = false;
};

}  // namespace pm::http
