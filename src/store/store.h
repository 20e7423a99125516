// Store: every row the product keeps (accounts, sessions, workspaces, palettes), behind one
// interface with a SQLite implementation now and PostgreSQL later; callers never see SQL.
//
// Tenant scoping: every tenant-scoped method takes the TenantId as its first argument and
// touches only rows of that tenant; a row of another tenant is kNotFound, exactly as if it did
// not exist. The tenant gate (FindMembership) is the only way http/ turns a {ws} slug into a
// TenantId.
//
// Thread safety: all methods may be called concurrently from many threads.
// Failure: kNotFound, kAlreadyExists (unique e-mail), kConflict (unique slug), kUnavailable
// (database unreachable/locked past the busy timeout/disk full), kInternal (a bug).
// Times are Unix milliseconds supplied by the caller (injected clock).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace pm::store {

struct MigrationInfo {
  int version = 0;
  std::string name;
  bool applied = false;
};

// Plans and metering: one metered count of a workspace on one UTC day (usage_daily).
struct UsageCount {
  int64_t day = 0;      // days since 1970-01-01 UTC
  std::string metric;   // "uploads", "upload_bytes", "extractions", "detections", "requests"
  int64_t count = 0;
};

// Plans and metering: what a workspace holds now, computed live (not metered).
struct TenantUsage {
  std::string plan;                 // tenants.plan ("" = the configured default plan)
  int64_t members = 0;
  int64_t pending_invitations = 0;  // expires_at > now
  int64_t palettes = 0;
  // Sum of image bytes over the workspace's distinct object keys (duplicates share an object).
  int64_t stored_bytes = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- Schema -------------------------------------------------------------------------------
  // Applies every embedded migration not yet recorded, in order, each in its own transaction.
  // Returns how many were applied.
  virtual Result<int> Migrate() = 0;
  virtual Result<std::vector<MigrationInfo>> Migrations() = 0;
  // Reachable and fully migrated (for /readyz).
  virtual Status Check() = 0;

  // --- Accounts (global, not tenant-scoped) ---------------------------------------------------
  // Creates the user, the workspace and an owner membership in one transaction.
  // kAlreadyExists if the e-mail is taken; kConflict if the slug is taken.
  virtual Result<std::pair<User, Workspace>> CreateUserWithWorkspace(const NewUser& user,
                                                                    const NewWorkspace& ws,
                                                                    int64_t now) = 0;
  virtual Result<User> FindUserByEmail(std::string_view email) = 0;
  virtual Result<User> GetUser(UserId id) = 0;

  virtual Status CreateSession(const Session& session) = 0;
  // kNotFound when missing or expired at `now`.
  virtual Result<Session> FindSession(std::string_view token_hash, int64_t now) = 0;
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Removes sessions expired at `now`; returns how many.
  virtual Result<int> DeleteExpiredSessions(int64_t now) = 0;

  // Workspaces the user belongs to: their own personal workspace first (where the web app lands),
  // then by workspace creation.
  virtual Result<std::vector<Membership>> ListMemberships(UserId user) = 0;
  // The tenant gate: kNotFound if the slug does not exist or the user is not a member.
  virtual Result<Membership> FindMembership(UserId user, std::string_view slug) = 0;

  // --- Workspaces and members (tenant-scoped unless said otherwise) ------------------------------
  // A new (team) workspace with `owner` as its owner, in one transaction. kConflict: slug taken.
  virtual Result<Workspace> CreateWorkspace(UserId owner, const NewWorkspace& ws, int64_t now) = 0;
  // Every member, ordered by joined_at then user id.
  virtual Result<std::vector<Member>> ListMembers(TenantId tenant) = 0;
  // kNotFound when `user` is not a member.
  virtual Result<Member> GetMember(TenantId tenant, UserId user) = 0;
  // The one-owner rule holds here too, whatever the caller checked before (it may have raced a
  // transfer): the owner's row is never changed or removed by these two (kConflict), and
  // "owner" is not a role to set (kInvalidArgument: ownership moves by TransferOwnership only).
  // kNotFound when `user` is not a member.
  virtual Status SetMemberRole(TenantId tenant, UserId user, std::string_view role) = 0;
  // Removes the membership and the user's API tokens of this workspace, in one transaction.
  virtual Status RemoveMember(TenantId tenant, UserId user) = 0;
  // In one transaction: `to` becomes owner and `from` admin. kConflict when `from` is not the
  // owner (any more); kNotFound when `to` is not a member. A workspace keeps exactly one owner.
  virtual Status TransferOwnership(TenantId tenant, UserId from, UserId to) = 0;

  // --- Invitations (tenant-scoped; the look-up by token is global) -----------------------------
  // Replaces any invitation of the same e-mail address in the tenant, in one transaction.
  virtual Result<Invitation> CreateInvitation(TenantId tenant, const NewInvitation& inv,
                                              int64_t now) = 0;
  // Pending ones (expires_at > now), newest first.
  virtual Result<std::vector<Invitation>> ListInvitations(TenantId tenant, int64_t now) = 0;
  // kNotFound when missing.
  virtual Status DeleteInvitation(TenantId tenant, InvitationId id) = 0;
  // Global (the janitor): deletes invitations expired at `now`, of every tenant; returns how many.
  virtual Result<int> DeleteExpiredInvitations(int64_t now) = 0;
  // Global: the pending invitation with this token hash; kNotFound when unknown or expired.
  virtual Result<Invitation> FindInvitation(std::string_view token_hash, int64_t now) = 0;
  // In one transaction: checks the invitation is still pending (kNotFound), adds `user` as a
  // member with its role (kAlreadyExists when already a member; the invitation then stays) and
  // deletes the invitation. Returns the new membership.
  virtual Result<Membership> AcceptInvitation(std::string_view token_hash, UserId user,
                                              int64_t now) = 0;

  // --- API tokens (tenant-scoped; the look-up by token is global) ------------------------------
  virtual Result<ApiToken> CreateApiToken(TenantId tenant, const NewApiToken& token,
                                          int64_t now) = 0;
  // The tenant's tokens (only `user`'s when set), with user_email, newest first.
  virtual Result<std::vector<ApiToken>> ListApiTokens(TenantId tenant,
                                                      std::optional<UserId> user) = 0;
  // kNotFound when missing, or when `user` is set and the token is not theirs.
  virtual Status DeleteApiToken(TenantId tenant, ApiTokenId id, std::optional<UserId> user) = 0;
  // Global: the token with this hash, expired or not (the caller tells the two apart).
  virtual Result<ApiToken> FindApiToken(std::string_view token_hash) = 0;
  // Sets last_used_at = now unless it is already >= now - min_interval_ms (no write then).
  virtual Status TouchApiToken(TenantId tenant, ApiTokenId id, int64_t now,
                               int64_t min_interval_ms) = 0;

  // --- Share links (tenant-scoped; the look-up by token is global) ----------------------------
  // A link to `link.palette_id`, which must be a palette of `tenant` (kNotFound otherwise; the
  // check and the insert are one statement). Returns it with created_by_name.
  virtual Result<ShareLink> CreateShareLink(TenantId tenant, const NewShareLink& link,
                                            int64_t now) = 0;
  // The palette's active (not revoked) links, newest first; empty for an unknown palette.
  virtual Result<std::vector<ShareLink>> ListShareLinks(TenantId tenant, PaletteId palette) = 0;
  // Sets revoked_at = now. kNotFound when there is no active link `id` of that palette in
  // `tenant` (missing, another palette's or tenant's, already revoked).
  virtual Status RevokeShareLink(TenantId tenant, PaletteId palette, ShareLinkId id,
                                 int64_t now) = 0;
  // Global: the active link with this token hash, when its workspace is not soft-deleted
  // (suspended ones still read); kNotFound otherwise. The caller reads the palette with
  // GetPalette(link.tenant_id, link.palette_id).
  virtual Result<ShareLink> FindShareLink(std::string_view token_hash) = 0;

  // --- Palettes (tenant-scoped) ---------------------------------------------------------------
  // New palettes go on top of the list (position = highest + 1).
  virtual Result<Palette> CreatePalette(TenantId tenant, const NewPalette& palette, int64_t now) = 0;
  // Ordered by position, then id, both descending. `limit` 1..1000.
  virtual Result<PalettePage> ListPalettes(TenantId tenant, const std::optional<PageCursor>& after,
                                           int limit) = 0;
  virtual Result<Palette> GetPalette(TenantId tenant, PaletteId id) = 0;
  // Sets updated_at to max(now, updated_at + 1). kConflict when update.if_updated_at is set and
  // no longer matches (the row changed meanwhile); kNotFound when the row does not exist.
  virtual Result<Palette> UpdatePalette(TenantId tenant, PaletteId id, const PaletteUpdate& update,
                                        int64_t now) = 0;
  // Returns the deleted row (so the caller can delete its object once no other row uses it:
  // duplicates share their source's object_key).
  virtual Result<Palette> DeletePalette(TenantId tenant, PaletteId id) = 0;
  // Whether any palette of `tenant` references `object_key` (shared images, orphaned-object
  // cleanup). Reads the latest committed state.
  virtual Result<bool> ObjectKeyInUse(TenantId tenant, std::string_view object_key) = 0;

  // A copy of every field of `source` (the same object_key: the image bytes are shared, not
  // copied) as a new palette on top of the tenant's list, created by `by` at `now`. Its name is
  // chosen inside the write transaction: `choose_name` gets the names of the tenant's palettes
  // that start with `name_prefix` (code points), so two concurrent duplicates never pick the
  // same one. kNotFound when the source does not exist, also when it is being deleted
  // concurrently: the copy is committed only while the source row still exists (and holds the
  // delete back until then), so a shared object is never deleted under a new row.
  using NameChooser = std::function<std::string(const std::vector<std::string>& taken)>;
  virtual Result<Palette> DuplicatePalette(TenantId tenant, PaletteId source,
                                           std::string_view name_prefix,
                                           const NameChooser& choose_name, UserId by,
                                           int64_t now) = 0;
  // Rewrites list positions in one transaction so the list reads `top_first`. kConflict when
  // `top_first` is not exactly the tenant's palette ids, each once (the list changed).
  virtual Status ReorderPalettes(TenantId tenant, const std::vector<PaletteId>& top_first) = 0;
  // Moves one palette to the top/bottom of the list or one place up/down, in one transaction.
  // Returns the palette as it is afterwards (unchanged at the end it already is at).
  virtual Result<Palette> MovePalette(TenantId tenant, PaletteId id, PaletteMove move) = 0;

  // --- Account security (sessions of a user, password resets, TOTP, recovery codes, outbox) ---
  // All global (users and their credentials are not tenant data). kNotFound for a missing user.
  // Deletes every session of `user` except the one whose hash is `except_hash` (when given);
  // returns how many were deleted.
  virtual Result<int> DeleteUserSessions(UserId user, std::optional<std::string> except_hash) = 0;
  // Sets the password hash and, in the same transaction, deletes every session of the user but
  // `keep_session_hash` ("" = all of them).
  virtual Status SetPasswordHash(UserId user, std::string_view password_hash,
                                 std::string_view keep_session_hash) = 0;
  virtual Status CreatePasswordReset(UserId user, std::string_view token_hash, int64_t now,
                                     int64_t expires_at) = 0;
  // In one transaction: the reset with `token_hash` must exist, be unused and expire after `now`
  // (else kNotFound, changing nothing); it is marked used, the user's password hash set and every
  // session of theirs deleted. Returns whose password it was. A token is used at most once, also
  // when two confirmations race.
  virtual Result<UserId> ConsumePasswordReset(std::string_view token_hash,
                                              std::string_view password_hash, int64_t now) = 0;
  // Removes resets expired at `now` or used; returns how many.
  virtual Result<int> DeleteStalePasswordResets(int64_t now) = 0;
  // TOTP enrolment: sets the secret and clears totp_enabled_at and totp_last_step.
  virtual Status SetTotpSecret(UserId user, std::string_view secret) = 0;
  // In one transaction: totp_enabled_at = now, totp_last_step = step, and the recovery codes
  // replaced by `recovery_code_hashes`.
  virtual Status EnableTotp(UserId user, int64_t step, int64_t now,
                            const std::vector<std::string>& recovery_code_hashes) = 0;
  // Clears the secret, totp_enabled_at and totp_last_step and deletes the recovery codes.
  virtual Status DisableTotp(UserId user) = 0;
  // Records `step` as the last accepted TOTP step if it is later than the one recorded (atomic:
  // of two requests with the same code only one gets true). False: a replay.
  virtual Result<bool> AdvanceTotpStep(UserId user, int64_t step) = 0;
  // Replaces every recovery code of the user (used or not) by these hashes.
  virtual Status ReplaceRecoveryCodes(UserId user,
                                      const std::vector<std::string>& code_hashes) = 0;
  // Marks the user's unused code with this hash used at `now`; false when there is none.
  virtual Result<bool> UseRecoveryCode(UserId user, std::string_view code_hash, int64_t now) = 0;
  // Unused recovery codes left.
  virtual Result<int> CountRecoveryCodes(UserId user) = 0;
  // Appends a message (its id and sent_at are ignored) and returns it with its id.
  virtual Result<OutboxMessage> AppendOutbox(const OutboxMessage& message) = 0;
  // Records the outcome of an SMTP delivery. kNotFound for an unknown id.
  virtual Status MarkOutboxSent(int64_t id, std::optional<int64_t> sent_at,
                                std::string_view error) = 0;
  // Newest first; limit 1..1000.
  virtual Result<std::vector<OutboxMessage>> ListOutbox(int limit) = 0;
  // Log-in throttling locks, kept in the counters table (no table of their own): `key`'s row of
  // window 0 holds the time (Unix ms) the key is locked until as its count, and expires then.
  // A lock is never shortened by a later, shorter one. Read it with GetCounter(key, 0).
  virtual Status LockCounterKey(std::string_view key, int64_t until) = 0;
  // Erasure: deletes the user row; their sessions, memberships, API tokens, recovery codes and
  // password resets go with it (ON DELETE CASCADE); palettes and invitations they made keep
  // existing with created_by / invited_by NULL. Workspaces are the caller's to purge first.
  virtual Status DeleteUser(UserId user) = 0;

  // --- Plans and metering (tenant-scoped) -----------------------------------------------------
  // Metering lives in usage_daily, one count per (tenant, UTC day, metric); the app names the
  // metrics. All of these touch only `tenant`'s rows (on PostgreSQL under its app.tenant_id).
  //
  // Adds `n` to the day's count of `metric`; a negative `n` gives a reservation back (the count
  // never goes below 0).
  virtual Status AddUsage(TenantId tenant, int64_t day, std::string_view metric, int64_t n) = 0;
  // Adds `n` (> 0) only if the day's count stays <= `cap`, atomically (one statement, so it
  // holds across connections and replicas): the new count, or std::nullopt when refused, in
  // which case nothing changed.
  virtual Result<std::optional<int64_t>> AddUsageWithin(TenantId tenant, int64_t day,
                                                        std::string_view metric, int64_t n,
                                                        int64_t cap) = 0;
  // Every count of the tenant with from_day <= day <= to_day, ordered by day, then metric.
  virtual Result<std::vector<UsageCount>> ListUsage(TenantId tenant, int64_t from_day,
                                                    int64_t to_day) = 0;
  // The tenant's plan name and live figures (members, pending invitations at `now`, palettes,
  // stored bytes), read in one transaction. kNotFound when the tenant does not exist.
  virtual Result<TenantUsage> GetTenantUsage(TenantId tenant, int64_t now) = 0;
  // One API request of the tenant, in one transaction: +1 to "requests" on `day` and +1 to the
  // fixed-window counter `counter_key` for the window starting at `window_start` (the row may
  // be deleted after `expires_at`; see IncrementCounter). Returns the window's new count.
  virtual Result<int64_t> CountRequest(TenantId tenant, int64_t day, std::string_view counter_key,
                                       int64_t window_start, int64_t expires_at) = 0;

  // --- Operators and workspace lifecycle (global; operator methods never read palettes) ------
  // Platform operators (users.is_operator) and their one-time setup links (global tables).
  virtual Result<int64_t> CountOperators() = 0;
  // Stores a setup link valid until `expires_at`, and deletes the unused links for the same
  // e-mail address ("" included: a restart without an operator replaces the first-start link)
  // and every expired one.
  virtual Status CreateOperatorSetup(std::string_view token_hash, std::string_view email, int64_t now,
                                     int64_t expires_at) = 0;
  // The link, while unused and unexpired at `now`; kNotFound otherwise.
  virtual Result<OperatorSetup> FindOperatorSetup(std::string_view token_hash, int64_t now) = 0;
  // In one transaction: takes the link (kNotFound when unknown, used or expired; it is deleted:
  // single use), checks claim.email against it (kPermissionDenied), then promotes
  // claim.existing (kNotFound when gone) or creates claim.user with claim.personal as at sign-up
  // (kAlreadyExists: e-mail taken; kConflict: slug taken), flagged as an operator. Nothing
  // changes on failure.
  virtual Result<User> ConsumeOperatorSetup(std::string_view token_hash, int64_t now,
                                            const OperatorClaim& claim) = 0;
  // A set-password link for a user an operator provisioned (a row in password_resets).
  virtual Status CreatePasswordResetForUser(UserId user, std::string_view token_hash, int64_t now,
                                            int64_t expires_at) = 0;

  // Operator views of workspaces, ordered by id; soft-deleted ones included (status filter).
  virtual Result<std::vector<TenantSummary>> ListTenantSummaries(const TenantFilter& filter) = 0;
  // kNotFound when the workspace does not exist (soft-deleted ones are found).
  virtual Result<TenantSummary> GetTenantSummary(TenantId tenant) = 0;
  // Counts, under the tenant's own scope: how many palettes and stored bytes.
  virtual Result<TenantUsageTotals> GetTenantUsageTotals(TenantId tenant) = 0;

  // Lifecycle writes; each returns the workspace afterwards. kNotFound when it does not exist.
  virtual Result<Workspace> SetTenantPlan(TenantId tenant, std::string_view plan) = 0;
  // Sets suspended_at = now (kept when already suspended). kConflict when soft-deleted.
  virtual Result<Workspace> SuspendTenant(TenantId tenant, int64_t now) = 0;
  // Clears suspended_at (no-op when not suspended). kConflict when soft-deleted.
  virtual Result<Workspace> ReactivateTenant(TenantId tenant) = 0;
  // deleted_at = now, purge_after = purge_after. kConflict when already deleted.
  virtual Result<Workspace> SoftDeleteTenant(TenantId tenant, int64_t now, int64_t purge_after) = 0;
  // Clears deleted_at and purge_after. kConflict unless deleted and purge_after > now.
  virtual Result<Workspace> RestoreTenant(TenantId tenant, int64_t now) = 0;
  // Soft-deleted workspaces whose purge_after is <= now, oldest first, at most `limit`.
  virtual Result<std::vector<TenantId>> ListTenantsToPurge(int64_t now, int limit) = 0;

  // Deletes every row of the workspace -- share links, palettes, invitations, API tokens, memberships, usage
  // and the workspace itself -- in one transaction. Its objects are the caller's to delete first
  // (app::PurgeWorkspace). Audit records stay (append-only). kNotFound when it does not exist.
  virtual Status PurgeTenant(TenantId tenant) = 0;

  // --- Audit log (append-only) ------------------------------------------------------------------
  // Appends one record (its id is ignored). The log is never updated or deleted.
  virtual Status AppendAudit(const AuditRecord& record) = 0;
  // Records matching `filter` with id < before_id (none: from the newest), newest first, at most
  // `limit` (1..200). Keyset pagination by id: pages never overlap or skip a record that was
  // committed before the first page was read. A tenant read (filter.tenant) returns only that
  // workspace's records (on PostgreSQL under its app.tenant_id); filter.all_tenants is for
  // operators (on PostgreSQL under app.operator). kInvalidArgument for a filter that sets
  // neither or both, or a limit out of range.
  virtual Result<AuditPage> ListAudit(const AuditFilter& filter, std::optional<int64_t> before_id,
                                      int limit) = 0;

  // --- Coordination across replicas (not tenant-scoped) ------------------------------------
  // Fixed-window counters (log-in throttling, later quotas and rate limits): they live in the
  // database so they hold whichever replica answers.
  // Adds 1 to `key`'s counter for the window starting at `window_start` (ms) and returns the
  // new count. The row may be deleted after `expires_at`.
  virtual Result<int64_t> IncrementCounter(std::string_view key, int64_t window_start,
                                           int64_t expires_at) = 0;
  // The count for `key` in that window (0 when none).
  virtual Result<int64_t> GetCounter(std::string_view key, int64_t window_start) = 0;
  // Removes every window of `key`.
  virtual Status ResetCounter(std::string_view key) = 0;
  // Removes counters expired at `now`; returns how many.
  virtual Result<int> DeleteExpiredCounters(int64_t now) = 0;

  // Leases for background work that must run on one replica at a time. True when `holder` now
  // holds `name` until now + ttl_ms (newly acquired, taken over after the previous holder's
  // lease expired, or renewed); false while another holder's lease is live.
  virtual Result<bool> TryAcquireLease(std::string_view name, std::string_view holder, int64_t now,
                                       int64_t ttl_ms) = 0;
  // Gives the lease up early (no-op unless `holder` holds it).
  virtual Status ReleaseLease(std::string_view name, std::string_view holder) = 0;
};

struct StoreOptions {
  // sqlite://PATH (PATH after the scheme: sqlite:///abs/x.db, sqlite://./rel.db), or
  // postgres://user:pass@host:port/db / postgresql://... (also ?host=/socket/dir), given to libpq.
  std::string url;
  int busy_timeout_ms = 5000;  // SQLite only
  int pool_size = 4;           // SQLite: reader connections; PostgreSQL: connections (1..64)

  // PostgreSQL only.
  std::string migration_url;        // used by Migrate() when set (a role with DDL rights)
  int statement_timeout_ms = 5000;  // SET statement_timeout on every pooled connection; 0 = none
  int connect_timeout_s = 5;        // libpq connect_timeout (unless the URL sets one)
  int pool_wait_ms = 10000;         // longest wait for a free pooled connection -> kUnavailable
};

// Picks the backend by URL scheme. Does not migrate: serve and migrate call Migrate().
// PostgreSQL: connects once and refuses (kInvalidArgument) a serving role that is a superuser or
// has BYPASSRLS, since Row-Level Security would not apply to it; kUnavailable when unreachable.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace pm::store
