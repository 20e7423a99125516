// SqliteStore: the Store on one SQLite file, for a multi-threaded server.
//
// Threading model: one writer connection behind a mutex (SQLite allows one writer at a time
// anyway; serialising in-process means writers queue on the mutex instead of spinning in
// busy_timeout) and a pool of `pool_size` reader connections checked out per call, blocking on a
// condition variable while all are in use. WAL mode lets readers run alongside the writer, each
// read seeing the last committed state. Each connection caches its prepared statements.
// All methods are thread-safe. Writers in other processes (e.g. `palettemaker migrate` while the
// server runs) wait up to busy_timeout_ms, then the call fails with kUnavailable.
//
// Only OpenStore() names this class; include it elsewhere only in tests.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace pm::store {

namespace sqlite {
class Connection;
class Stmt;
}

class SqliteStore final : public Store {
 public:
  // Opens (creating if missing, with its parent directory at 0750) the database file at `path`
  // with options.pool_size readers (1..64) and options.busy_timeout_ms (>= 0). Does not migrate.
  // kInvalidArgument for bad options or path; kUnavailable if the file cannot be opened.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const StoreOptions& options);
  ~SqliteStore() override;

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

 private:
  // A reader checked out of the pool; returned on destruction.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore& store, sqlite::Connection* conn) : store_(store), conn_(conn) {}
    ~ReaderLease();
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    sqlite::Connection& operator*() { return *conn_; }

   private:
    SqliteStore& store_;
    sqlite::Connection* conn_;
  };

  SqliteStore();
  ReaderLease AcquireReader();  // blocks until a reader is free
  // Highest applied version, 0 when none; -1 when schema_migrations does not exist.
  static int64_t AppliedVersion(sqlite::Connection& conn);
  // sqlite_operators.cc: one lifecycle UPDATE ... RETURNING of a tenant row (see there).
  Result<Workspace> UpdateTenantRow(const char* op, const char* sql,
                                    const std::function<void(sqlite::Stmt&)>& bind, TenantId tenant,
                                    const char* conflict);

  std::mutex writer_mu_;
  std::unique_ptr<sqlite::Connection> writer_;  // GUARDED_BY(writer_mu_)

  std::vector<std::unique_ptr<sqlite::Connection>> readers_;  // owns; fixed after Open()
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<sqlite::Connection*> idle_readers_;  // GUARDED_BY(pool_mu_)
};

}  // namespace pm::store
