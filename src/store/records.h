// Plain records the Store reads and writes. No behaviour, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"

namespace pm::store {

struct User {
  UserId id;
  std::string email;          // normalised: trimmed, lower-case
  std::string name;
  std::string password_hash;  // Argon2id string from crypto_pwhash_str
  int64_t created_at = 0;     // Unix ms
  bool is_operator = false;   // platform operator (the admin API)
  // TOTP second factor (RFC 6238): the base32 secret once enrolment started; enabled only when
  // totp_enabled_at is set (confirmed with a code). totp_last_step: last accepted 30 s step.
  std::string totp_secret{};
  std::optional<int64_t> totp_enabled_at{};
  std::optional<int64_t> totp_last_step{};
};

struct NewUser {
  std::string email;
  std::string name;
  std::string password_hash;
};

struct Workspace {
  TenantId id;
  std::string slug;
  std::string name;
  int64_t created_at = 0;
  bool personal = false;  // made at sign-up (see docs/API.md: it may still have members)
  std::string plan{};     // the plan name in config; "" = the configured default plan
  std::optional<int64_t> suspended_at{}; // set while suspended: read-only for its members
  std::optional<int64_t> deleted_at{};   // soft-deleted: hidden from its members
  std::optional<int64_t> purge_after{};  // the janitor purges a soft-deleted workspace after it
};

struct NewWorkspace {
  std::string slug;
  std::string name;
  bool personal = false;
};

// One member of a workspace, with the user's e-mail and name (members list).
struct Member {
  UserId user_id;
  std::string email;
  std::string name;
  std::string role;        // owner|admin|editor|viewer
  int64_t joined_at = 0;   // Unix ms
};

// A pending invitation. Only the SHA-256 hex of its token is stored.
struct Invitation {
  InvitationId id;
  TenantId tenant_id;
  std::string email;       // normalised
  std::string role;        // admin|editor|viewer
  std::string token_hash;
  UserId invited_by;       // 0 when that user was erased
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

struct NewInvitation {
  std::string email;
  std::string role;
  std::string token_hash;
  UserId invited_by;
  int64_t expires_at = 0;
};

// An API token of one user in one workspace. Only the SHA-256 hex of the token is stored.
struct ApiToken {
  ApiTokenId id;
  TenantId tenant_id;
  UserId user_id;
  std::string user_email;  // filled by ListApiTokens
  std::string name;
  std::string scope;       // read|write
  std::string token_hash;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;    // none: never
  std::optional<int64_t> last_used_at;  // none: never used
};

struct NewApiToken {
  UserId user_id;
  std::string name;
  std::string scope;
  std::string token_hash;
  std::optional<int64_t> expires_at;
};

// A read-only share link to one palette. Only the SHA-256 hex of its token is stored.
struct ShareLink {
  ShareLinkId id;
  TenantId tenant_id;
  PaletteId palette_id;
  UserId created_by;             // 0 when that user was erased
  std::string created_by_name;   // "" when that user was erased
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;  // none: active
};

struct NewShareLink {
  PaletteId palette_id;
  std::string token_hash;
  UserId created_by;
};

// One audit log record (append-only). Rows hold ids, never e-mail addresses, so a record stays
// pseudonymous once its actor is erased; readers join names in.
struct AuditRecord {
  int64_t id = 0;
  int64_t created_at = 0;             // Unix ms
  std::optional<TenantId> tenant_id;  // none: not about one workspace (log-in, sign-up, ...)
  std::optional<UserId> actor_id;     // none: anonymous or the system
  std::string actor_kind = "user";    // user|token|operator|system|anonymous
  std::string action;                 // e.g. "auth.login", "member.role_changed"
  std::string target;                 // what it was done to, e.g. "user:12", "palette:7"
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string details_json = "{}";    // a JSON object
};

// Which audit records to read (Store::ListAudit). Exactly one of `tenant` (one workspace's
// records: a tenant read) and `all_tenants` (operators only: every record, also those about no
// workspace) must be set.
struct AuditFilter {
  std::optional<TenantId> tenant;
  bool all_tenants = false;
  std::string tenant_slug;             // with all_tenants: only the workspace with this slug
  std::optional<UserId> actor;
  std::string action;                  // exact name, or a prefix when it ends with '.'
  std::optional<int64_t> since;        // created_at >= since (Unix ms)
  std::optional<int64_t> until;        // created_at < until (Unix ms)
};

// One record as a reader sees it: the actor's e-mail and name while that user exists, the
// workspace's slug while that workspace exists (none once erased or purged).
struct AuditEntry {
  AuditRecord record;
  std::optional<std::string> actor_email;
  std::optional<std::string> actor_name;
  std::optional<std::string> tenant_slug;
};

struct AuditPage {
  std::vector<AuditEntry> entries;     // newest first (by id)
  std::optional<int64_t> next_before;  // set when more follow: pass as `before_id`
};

// A one-time link that creates (or promotes) a platform operator. Only the SHA-256 hex of its
// token is stored.
struct OperatorSetup {
  std::string token_hash;
  std::string email;  // "" = whoever opens the link chooses the e-mail address
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

// Who takes an operator setup link: an existing user (promoted) or a new one, created with a
// personal workspace exactly as at sign-up.
struct OperatorClaim {
  std::string email;               // normalised; must be the link's when the link names one
  std::optional<UserId> existing;  // promote this user (whose e-mail is `email`)
  NewUser user;                    // otherwise create this user ...
  NewWorkspace personal;           // ... with this personal workspace
};

// A workspace as operators see it: the row, its owner and its member count. Never its content.
struct TenantSummary {
  Workspace workspace;
  UserId owner_id;          // 0 when the workspace has no owner row (should not happen)
  std::string owner_email;
  int64_t members = 0;
};

enum class TenantStatus { kActive, kSuspended, kDeleted };

struct TenantFilter {
  std::string query;                   // substring of slug, name or owner e-mail ("" = all)
  std::optional<TenantStatus> status;  // none: every workspace
  int64_t after_id = 0;                // keyset: ids greater than this
  int limit = 50;                      // 1..1000
};

// Aggregates of one workspace's palettes (never their names, colours or images).
struct TenantUsageTotals {
  int64_t palettes = 0;
  int64_t storage_bytes = 0;  // bytes of distinct stored images (duplicates share theirs)
};

// A user's membership of one workspace, with the workspace itself.
struct Membership {
  Workspace workspace;
  std::string role;  // owner|admin|editor|viewer
};

struct Session {
  std::string token_hash;  // SHA-256 hex of the cookie token; the token itself is never stored
  std::string csrf_hash;   // SHA-256 hex of the session's CSRF token
  UserId user_id;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

struct ImageMeta {
  std::string object_key;  // tenants/{tenant_id}/...
  std::string format;      // jpeg|png|webp|gif|tiff|avif
  std::string mime;
  int width = 0;
  int height = 0;
  int64_t bytes = 0;
  std::string sha256;      // hex; the ETag
};

// Colours, labels, regions etc. are stored as JSON text so the schema does not churn while the
// palette model grows; the app layer owns their shape.
struct Palette {
  PaletteId id;
  TenantId tenant_id;
  std::string name;
  ImageMeta image;
  std::string colors_json = "[]";         // ["#rrggbb", ...]
  std::string labels_json = "[]";         // ["A", "B", ...]
  std::string coverage_json = "[]";       // [0.31, ...]
  std::string regions_json = "[]";        // [[[x,y],...], ...]
  std::string region_colors_json = "[]";  // [...]
  std::string region_labels_json = "[]";  // ["00", "01", ...], one per region
  std::string params_json = "{}";         // {"k":5, ...}
  std::optional<int> background_index;    // index into colors of the background swatch
  int64_t position = 0;                   // list order, highest first
  UserId created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct NewPalette {
  std::string name;
  ImageMeta image;
  std::string colors_json = "[]";
  std::string labels_json = "[]";
  std::string coverage_json = "[]";
  std::string params_json = "{}";
  UserId created_by;
};

// Only the fields that are set change.
struct PaletteUpdate {
  std::optional<std::string> name;
  std::optional<std::string> colors_json;
  std::optional<std::string> labels_json;
  std::optional<std::string> coverage_json;
  std::optional<std::string> regions_json;
  std::optional<std::string> region_colors_json;
  std::optional<std::string> region_labels_json;
  std::optional<std::string> params_json;
  // Outer optional: change it or not; inner: the index, or none.
  std::optional<std::optional<int>> background_index;
  // Compare-and-set for read-modify-write callers: when set, the update applies only if the
  // row's updated_at still equals it (kConflict otherwise). Every update moves updated_at
  // strictly forward (max(now, updated_at + 1)), so it works as a row version.
  std::optional<int64_t> if_updated_at;
};

// One e-mail the server sent, or would have sent without SMTP (the operator reads the outbox).
struct OutboxMessage {
  int64_t id = 0;
  std::string recipient;
  std::string subject;
  std::string body;
  int64_t created_at = 0;             // Unix ms
  std::optional<int64_t> sent_at;     // set when delivered by SMTP
  std::string error;                  // the last SMTP failure, "" when none
};

// Where POST .../move puts a palette in its tenant's list (top = first shown).
enum class PaletteMove { kTop, kBottom, kUp, kDown };

// Keyset pagination: the last row of the previous page.
struct PageCursor {
  int64_t position = 0;
  int64_t id = 0;
};

struct PalettePage {
  std::vector<Palette> items;
  std::optional<PageCursor> next;  // set when more rows follow
};

}  // namespace pm::store
