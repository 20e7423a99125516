// RFC 3339 timestamps ("2026-11-23T11:00:00Z", "2025-02-13T15:31:40.000Z",
// "2026-11-23T11:00:00.250+01:00") as Unix milliseconds; fractions finer than a millisecond are
// cut. Hand-written: libstdc++ 12 has no std::chrono::parse, and the format is small.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pm {

// nullopt for anything that is not a valid RFC 3339 date-time (with a zone: Z or +HH:MM).
std::optional<int64_t> ParseRfc3339Millis(std::string_view text);

}  // namespace pm
