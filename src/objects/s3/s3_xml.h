// The few pieces of S3's XML and date formats the S3 object store reads.
//
// Why no XML library: S3 answers with small, machine-written documents, and we need five fields
// of ListObjectsV2 (Key, Size, LastModified, IsTruncated, NextContinuationToken) plus the
// <Code>/<Message> of an error and the <UploadId> of a new multipart upload. In such a document
// every '<' is markup (text content escapes it as &lt;), so finding `<Name>`...`</Name>` is
// exact as long as the element has no attributes and the document has no CDATA or comments,
// which S3 never sends for these elements. Text is unescaped (&amp; &lt; &gt; &quot; &apos; and
// numeric &#NN; / &#xHH; references); a malformed reference makes the parse fail rather than
// guess. A general XML parser (and one more library in the static build) buys nothing here.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pm::objects::s3 {

// Unescapes XML character data. nullopt on an unknown or malformed entity.
std::optional<std::string> XmlUnescape(std::string_view text);

// The raw (still escaped) text of the first `<name>...</name>` at or after `*pos` in `xml`; on
// success `*pos` moves past the closing tag. `<name/>` yields "". nullopt if absent or unclosed.
std::optional<std::string_view> XmlNextElement(std::string_view xml, std::string_view name, size_t* pos);

// The unescaped text of the first `<name>` element in `xml`, or nullopt.
std::optional<std::string> XmlFirstText(std::string_view xml, std::string_view name);

struct ListedObject {
  std::string key;  // the full S3 key (store prefix included)
  int64_t size = 0;
  int64_t modified_ms = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken when truncated
};

// Parses a ListObjectsV2 result. nullopt if a <Contents> lacks Key/Size/LastModified, a value is
// malformed, or the page says it is truncated but gives no continuation token.
std::optional<ListPage> ParseListObjectsV2(std::string_view xml);

// "2009-10-12T17:50:30.000Z" (ISO 8601 UTC, fraction optional) -> Unix ms, or nullopt.
std::optional<int64_t> ParseIso8601Millis(std::string_view text);

// "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 7231 IMF-fixdate) -> Unix ms, or nullopt.
std::optional<int64_t> ParseHttpDateMillis(std::string_view text);

}  // namespace pm::objects::s3
