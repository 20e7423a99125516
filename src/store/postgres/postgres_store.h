// PostgresStore: the Store on PostgreSQL through libpq, for several replicas sharing a database.
//
// Connections: a bounded pool of `pool_size` connections (opened lazily, the first at Open()),
// checked out per call; a caller waits up to pool_wait_ms for a free one, then gets kUnavailable.
// Each connection has statement_timeout set and prepares its statements on first use. A
// connection found broken (the server restarted, the network dropped: seen at checkout or from a
// failed call) is dropped and replaced; the failed call is retried once on a new connection if it
// only read, or if it failed before anything of it ran (e.g. at BEGIN). A write that failed
// part-way is not retried (its COMMIT may have happened) and returns kUnavailable.
//
// Tenant scoping, twice: every tenant-scoped statement has `tenant_id = $n` in its WHERE, and runs
// in a transaction that first does `SELECT set_config('app.tenant_id', $1, true)`, which the
// Row-Level Security policies of schema/postgres/ key on (ListMemberships / FindMembership set
// app.user_id instead; see 0001_init.sql for why that opens no tenant data). Open() refuses a
// superuser or BYPASSRLS role, for whom RLS would not apply.
//
// Migrate() takes a session-level advisory lock on its own connection (to migration_url when
// set), so of several processes starting at once exactly one applies migrations and the others
// wait, then find nothing to do.
//
// All methods are thread-safe. Only OpenStore() names this class; include it elsewhere only in
// tests.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace pm::store {

namespace postgres {
class Connection;
struct ConnectOptions;
}  // namespace postgres

class PostgresStore final : public Store {
 public:
  // Checks the options, connects once and checks the role. kInvalidArgument for bad options or a
  // superuser/BYPASSRLS role; kUnavailable when the server cannot be reached. Does not migrate.
  static Result<std::unique_ptr<PostgresStore>> Open(const StoreOptions& options);
  ~PostgresStore() override;

  Result<int> Migrate() override;
  Result<std::vector<MigrationInfo>> Migrations() override;
  Status Check() override;

  Result<std::pair<User, Workspace>> CreateUserWithWorkspace(const NewUser& user,
                                                            const NewWorkspace& ws,
                                                            int64_t now) override;
  Result<User> FindUserByEmail(std::string_view email) override;
  Result<User> GetUser(UserId id) override;

  Status CreateSession(const Session& session) override;
  Result<Session> FindSession(std::string_view token_hash, int64_t now) override;
  Status DeleteSession(std::string_view token_hash) override;
  Result<int> DeleteExpiredSessions(int64_t now) override;

  Result<std::vector<Membership>> ListMemberships(UserId user) override;
  Result<Membership> FindMembership(UserId user, std::string_view slug) override;

  Result<Workspace> CreateWorkspace(UserId owner, const NewWorkspace& ws, int64_t now) override;
  Result<std::vector<Member>> ListMembers(TenantId tenant) override;
  Result<Member> GetMember(TenantId tenant, UserId user) override;
  Status SetMemberRole(TenantId tenant, UserId user, std::string_view role) override;
  Status RemoveMember(TenantId tenant, UserId user) override;
  Status TransferOwnership(TenantId tenant, UserId from, UserId to) override;

  Result<Invitation> CreateInvitation(TenantId tenant, const NewInvitation& inv,
                                      int64_t now) override;
  Result<std::vector<Invitation>> ListInvitations(TenantId tenant, int64_t now) override;
  Status DeleteInvitation(TenantId tenant, InvitationId id) override;
  Result<int> DeleteExpiredInvitations(int64_t now) override;
  Result<Invitation> FindInvitation(std::string_view token_hash, int64_t now) override;
  Result<Membership> AcceptInvitation(std::string_view token_hash, UserId user,
                                      int64_t now) override;

  Result<ApiToken> CreateApiToken(TenantId tenant, const NewApiToken& token, int64_t now) override;
  Result<std::vector<ApiToken>> ListApiTokens(TenantId tenant, std::optional<UserId> user) override;
  Status DeleteApiToken(TenantId tenant, ApiTokenId id, std::optional<UserId> user) override;
  Result<ApiToken> FindApiToken(std::string_view token_hash) override;
  Status TouchApiToken(TenantId tenant, ApiTokenId id, int64_t now,
                       int64_t min_interval_ms) override;

  // Share links (*_shares.cc).
  Result<ShareLink> CreateShareLink(TenantId tenant, const NewShareLink& link, int64_t now) override;
  Result<std::vector<ShareLink>> ListShareLinks(TenantId tenant, PaletteId palette) override;
  Status RevokeShareLink(TenantId tenant, PaletteId palette, ShareLinkId id, int64_t now) override;
  Result<ShareLink> FindShareLink(std::string_view token_hash) override;

  Result<Palette> CreatePalette(TenantId tenant, const NewPalette& palette, int64_t now) override;
  Result<PalettePage> ListPalettes(TenantId tenant, const std::optional<PageCursor>& after,
                                   int limit) override;
  Result<Palette> GetPalette(TenantId tenant, PaletteId id) override;
  Result<Palette> UpdatePalette(TenantId tenant, PaletteId id, const PaletteUpdate& update,
                                int64_t now) override;
  Result<Palette> DeletePalette(TenantId tenant, PaletteId id) override;
  Result<bool> ObjectKeyInUse(TenantId tenant, std::string_view object_key) override;
  Result<Palette> DuplicatePalette(TenantId tenant, PaletteId source, std::string_view name_prefix,
                                   const NameChooser& choose_name, UserId by, int64_t now) override;
  Status ReorderPalettes(TenantId tenant, const std::vector<PaletteId>& top_first) override;
  Result<Palette> MovePalette(TenantId tenant, PaletteId id, PaletteMove move) override;

  Result<int64_t> IncrementCounter(std::string_view key, int64_t window_start,
                                   int64_t expires_at) override;
  Result<int64_t> GetCounter(std::string_view key, int64_t window_start) override;
  Status ResetCounter(std::string_view key) override;
  Result<int> DeleteExpiredCounters(int64_t now) override;

  Result<bool> TryAcquireLease(std::string_view name, std::string_view holder, int64_t now,
                               int64_t ttl_ms) override;
  Status ReleaseLease(std::string_view name, std::string_view holder) override;

  // Account security (sqlite_account_security.cc / postgres_account_security.cc).
  Result<int> DeleteUserSessions(UserId user, std::optional<std::string> except_hash) override;
  Status SetPasswordHash(UserId user, std::string_view password_hash,
                         std::string_view keep_session_hash) override;
  Status CreatePasswordReset(UserId user, std::string_view token_hash, int64_t now,
                             int64_t expires_at) override;
  Result<UserId> ConsumePasswordReset(std::string_view token_hash, std::string_view password_hash,
                                      int64_t now) override;
  Result<int> DeleteStalePasswordResets(int64_t now) override;
  Status SetTotpSecret(UserId user, std::string_view secret) override;
  Status EnableTotp(UserId user, int64_t step, int64_t now,
                    const std::vector<std::string>& recovery_code_hashes) override;
  Status DisableTotp(UserId user) override;
  Result<bool> AdvanceTotpStep(UserId user, int64_t step) override;
  Status ReplaceRecoveryCodes(UserId user, const std::vector<std::string>& code_hashes) override;
  Result<bool> UseRecoveryCode(UserId user, std::string_view code_hash, int64_t now) override;
  Result<int> CountRecoveryCodes(UserId user) override;
  Result<OutboxMessage> AppendOutbox(const OutboxMessage& message) override;
  Status MarkOutboxSent(int64_t id, std::optional<int64_t> sent_at, std::string_view error) override;
  Result<std::vector<OutboxMessage>> ListOutbox(int limit) override;
  Status LockCounterKey(std::string_view key, int64_t until) override;
  Status DeleteUser(UserId user) override;

  // Plans and metering (*_plans.cc).
  Status AddUsage(TenantId tenant, int64_t day, std::string_view metric, int64_t n) override;
  Result<std::optional<int64_t>> AddUsageWithin(TenantId tenant, int64_t day,
                                                std::string_view metric, int64_t n,
                                                int64_t cap) override;
  Result<std::vector<UsageCount>> ListUsage(TenantId tenant, int64_t from_day,
                                            int64_t to_day) override;
  Result<TenantUsage> GetTenantUsage(TenantId tenant, int64_t now) override;
  Result<int64_t> CountRequest(TenantId tenant, int64_t day, std::string_view counter_key,
                               int64_t window_start, int64_t expires_at) override;

  // Operators and workspace lifecycle (*_operators.cc).
  Result<int64_t> CountOperators() override;
  Status CreateOperatorSetup(std::string_view token_hash, std::string_view email, int64_t now,
                             int64_t expires_at) override;
  Result<OperatorSetup> FindOperatorSetup(std::string_view token_hash, int64_t now) override;
  Result<User> ConsumeOperatorSetup(std::string_view token_hash, int64_t now,
                                    const OperatorClaim& claim) override;
  Status CreatePasswordResetForUser(UserId user, std::string_view token_hash, int64_t now,
                                    int64_t expires_at) override;
  Result<std::vector<TenantSummary>> ListTenantSummaries(const TenantFilter& filter) override;
  Result<TenantSummary> GetTenantSummary(TenantId tenant) override;
  Result<TenantUsageTotals> GetTenantUsageTotals(TenantId tenant) override;
  Result<Workspace> SetTenantPlan(TenantId tenant, std::string_view plan) override;
  Result<Workspace> SuspendTenant(TenantId tenant, int64_t now) override;
  Result<Workspace> ReactivateTenant(TenantId tenant) override;
  Result<Workspace> SoftDeleteTenant(TenantId tenant, int64_t now, int64_t purge_after) override;
  Result<Workspace> RestoreTenant(TenantId tenant, int64_t now) override;
  Result<std::vector<TenantId>> ListTenantsToPurge(int64_t now, int limit) override;
  Status PurgeTenant(TenantId tenant) override;

  // Audit log (*_audit.cc).
  Status AppendAudit(const AuditRecord& record) override;
  Result<AuditPage> ListAudit(const AuditFilter& filter, std::optional<int64_t> before_id,
                            int limit) override;

  // Test only: runs `sql` as given (no tenant condition of ours) through a pooled connection of
  // the serving role, inside a transaction where app.tenant_id is `tenant` and app.user_id is
  // `user` (each left unset when its value is 0). Returns the first column of every row as text.
  // Proves that Row-Level Security alone keeps other tenants' rows out.
  Result<std::vector<std::string>> RunUnscopedQueryForTest(TenantId tenant, const std::string& sql,
                                                          UserId user = UserId());

  // Connections currently open (idle + checked out); for tests.
  int OpenConnectionsForTest();

 private:
  enum class Access { kRead, kWrite };
  // How a call runs: in a transaction or not, and which RLS settings it makes first.
  struct Scope {
    Access access = Access::kRead;
    bool transaction = false;
    TenantId tenant;  // app.tenant_id when value != 0 (implies a transaction)
    UserId user;      // app.user_id when value != 0 (implies a transaction)
    bool operator_scope = false;  // app.operator = 'on' (implies a transaction); see 0006
  };
  static Scope GlobalRead() { return Scope{Access::kRead, false, {}, {}}; }
  static Scope GlobalWrite() { return Scope{Access::kWrite, true, {}, {}}; }
  static Scope TenantRead(TenantId t) { return Scope{Access::kRead, true, t, {}}; }
  static Scope TenantWrite(TenantId t) { return Scope{Access::kWrite, true, t, {}}; }
  static Scope UserRead(UserId u) { return Scope{Access::kRead, true, {}, u}; }
  // Operator methods only (the app layer checked users.is_operator): admits every tenant row,
  // membership, usage and audit row, and no palette, invitation or token (0006_saas_controls).
  static Scope OperatorRead() { return Scope{Access::kRead, true, {}, {}, true}; }
  static Scope OperatorWrite() { return Scope{Access::kWrite, true, {}, {}, true}; }

  // A pooled connection checked out for one call; returned (or dropped when broken) on
  // destruction.
  class Lease {
   public:
    Lease(PostgresStore* store, std::unique_ptr<postgres::Connection> conn);
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    postgres::Connection& operator*() { return *conn_; }

   private:
    PostgresStore* store_;
    std::unique_ptr<postgres::Connection> conn_;
  };

  explicit PostgresStore(const StoreOptions& options);
  Result<Lease> Acquire();
  void Release(std::unique_ptr<postgres::Connection> conn);
  void DropIdle();  // closes every idle connection (after one was found broken)
  postgres::ConnectOptions ServingConnectOptions() const;

  // Runs `body` on a pooled connection under `scope` (BEGIN, set_config, body, COMMIT), with
  // rollback on failure and the retry described in the class comment.
  Status Run(std::string_view op, const Scope& scope,
             const std::function<Status(postgres::Connection&)>& body);
  Status RunOnce(const Scope& scope, postgres::Connection& conn,
                 const std::function<Status(postgres::Connection&)>& body);
  // Highest applied version, 0 when none; -1 when schema_migrations does not exist.
  static Result<int64_t> AppliedVersion(postgres::Connection& conn);

  const StoreOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<postgres::Connection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;  // GUARDED_BY(mu_): idle + checked out + being opened, <= pool_size
};

}  // namespace pm::store
