// Text helpers shared by Load's error messages, Dump and ExampleToml. Internal to pm_config.
#pragma once

#include <string>
#include <string_view>

#include "config/config_keys.h"

namespace pm::config {

// A TOML basic string: "..." with \", \\ and control characters escaped (so always one line).
std::string TomlQuote(std::string_view s);

// postgres://user:secret@host/db -> postgres://user:***@host/db; other strings unchanged.
std::string RedactUrl(std::string_view url);

// The field's value as a TOML value (unmasked).
std::string FieldToToml(const FieldPtr& field);

}  // namespace pm::config
