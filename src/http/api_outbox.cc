// GET /api/v1/admin/outbox: the e-mail the server sent or would have sent (operators only).
#include <algorithm>
#include <charconv>

#include "http/api.h"
#include "http/api_admin_common.h"
#include "http/json_io.h"

namespace pm::http {

void AddOutboxRoutes(Router& router, const ApiContext& api) {
  // Public row: RequireOperator authenticates, so anyone but an operator gets the same 404 as an
  // unknown path (http/api_admin_common.h).
  router.Add({"GET", "/api/v1/admin/outbox", Access::kPublic,
              [api](Call& call) -> Status {
                PM_ASSIGN_OR_RETURN(app::Principal op, RequireOperator(call, api));
                (void)op;
                int limit = 50;
                if (call.ex.HasQuery("limit")) {
                  std::string v = call.ex.Query("limit");
                  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
                  if (ec != std::errc() || p != v.data() + v.size() || limit < 1 || limit > 1000) {
                    return MakeError(ErrorCode::kInvalidArgument, "limit must be an integer from 1 to 1000");
                  }
                }
                PM_ASSIGN_OR_RETURN(auto messages, api.services.store->ListOutbox(limit));
                nlohmann::json out = nlohmann::json::array();
                for (const auto& m : messages) {
                  out.push_back({{"id", m.id},
                                 {"recipient", m.recipient},
                                 {"subject", m.subject},
                                 {"body", m.body},
                                 {"created_at", IsoTime(m.created_at)},
                                 {"sent_at", m.sent_at ? nlohmann::json(IsoTime(*m.sent_at)) : nlohmann::json()},
                                 {"error", m.error}});
                }
                SendJson(call.ex, 200, {{"messages", out}});
                return Status::Ok();
              },
              "Operators: the outbox of e-mail, newest first (?limit=1..1000, default 50)."});
}

}  // namespace pm::http
