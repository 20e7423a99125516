// JSON request parsing and response writing for handlers (nlohmann::json).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "http/exchange.h"

namespace pm::http {

// The body as a JSON object. kUnsupportedMediaType unless Content-Type is application/json;
// kInvalidArgument for malformed JSON or a non-object; kPayloadTooLarge past `max_bytes`.
// An empty body is an empty object when `allow_empty`.
Result<nlohmann::json> ReadJsonObject(Exchange& ex, int64_t max_bytes, bool allow_empty = false);

// kInvalidArgument naming the first field not in `allowed`.
Status RejectUnknownFields(const nlohmann::json& obj, std::initializer_list<const char*> allowed);

// A string field: kInvalidArgument if present with another type, or missing when required.
Result<std::optional<std::string>> StringField(const nlohmann::json& obj, const char* key, bool required);
// An integer field (no fractions, no strings).
Result<std::optional<int64_t>> IntField(const nlohmann::json& obj, const char* key);

void SendJson(Exchange& ex, int status, const nlohmann::json& body);

// "2026-11-23T11:00:00.000Z" (UTC, milliseconds)
std::string IsoTime(int64_t unix_ms);
void AppendIsoTime(std::string& out, int64_t unix_ms);

}  // namespace pm::http
