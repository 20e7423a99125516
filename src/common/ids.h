// Strong id types: a TenantId cannot be passed where a UserId belongs.
#pragma once

#include <compare>
#include <cstdint>

namespace pm {

template <typename Tag>
struct StrongId {
  int64_t value = 0;
  constexpr StrongId() = default;
  constexpr explicit StrongId(int64_t v) : value(v) {}
  auto operator<=>(const StrongId&) const = default;
};

using TenantId = StrongId<struct TenantTag>;
using UserId = StrongId<struct UserTag>;
using PaletteId = StrongId<struct PaletteTag>;
using InvitationId = StrongId<struct InvitationTag>;
using ApiTokenId = StrongId<struct ApiTokenTag>;
using ShareLinkId = StrongId<struct ShareLinkTag>;

}  // namespace pm
