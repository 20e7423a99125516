#include "objects/local/local_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "common/crypto.h"

namespace pm::objects {

namespace {

constexpr mode_t kDirMode = 0750;
constexpr mode_t kFileMode = 0640;
constexpr const char* kTempDir = ".tmp";
// How often a Commit re-resolves its parent directory when a concurrent Delete removed it (an
// emptied directory is pruned between our mkdir and our rename).
constexpr int kCommitAttempts = 10;

// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  // close(2) errors are not retried (Linux closes the fd anyway).
  int Reset() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_ = -1;
};

std::string ErrnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// I/O trouble is kUnavailable (503): the disk, not the request, is at fault.
Error IoError(std::string_view what, std::string_view key, int err) {
  std::string where = std::string(what) + " " + std::string(key);
  if (err == ENOSPC || err == EDQUOT) {
    return MakeError(ErrorCode::kUnavailable, "object store: disk full (" + where + ")");
  }
  return MakeError(ErrorCode::kUnavailable, "object store: " + where + ": " + ErrnoText(err));
}

Error NotFound(std::string_view key) {
  return MakeError(ErrorCode::kNotFound, "object not found: " + std::string(key));
}

int64_t MtimeMillis(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

int OpenDirAt(int dir_fd, const std::string& name) {
  int fd;
  do {
    // O_NOFOLLOW: a symlink in place of a directory fails with ELOOP instead of being followed.
    fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

int FsyncFd(int fd) {
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

// Opens the directory `dir` (a '/'-separated relative path of valid key segments; "" is the
// root itself) one segment at a time, never following a symlink.
//
// Why segment by segment: keys are relative and contain no "." or ".." segments (ValidateKey),
// so the only way out of the root is a symlink. O_NOFOLLOW on the final component alone is not
// enough, because the kernel would still follow a symlink in an *intermediate* component
// ("tenants/1" -> "/etc"). Opening each segment with O_NOFOLLOW relative to the previous
// directory's fd closes that hole without depending on openat2(RESOLVE_BENEATH).
//
// With `create`, missing directories are made (mode 0750) and the directory that received a new
// entry is fsynced, so a committed object's path survives a crash.
// Returns 0 and sets *out, or an errno: ENOENT/ENOTDIR (missing, or a file where a directory
// should be), ELOOP (a symlink), or an I/O error.
int OpenDirOnce(int root_fd, std::string_view dir, bool create, UniqueFd* out) {
  UniqueFd cur(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!cur.valid()) return errno;
  size_t start = 0;
  while (start < dir.size()) {
    size_t end = dir.find('/', start);
    if (end == std::string_view::npos) end = dir.size();
    std::string segment(dir.substr(start, end - start));
    start = end + 1;

    int fd = OpenDirAt(cur.get(), segment);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), segment.c_str(), kDirMode) == 0) {
        if (FsyncFd(cur.get()) != 0) return errno;
      } else if (errno != EEXIST) {
        return errno;  // ENOENT: `cur` itself was just pruned; the caller starts over
      }
      fd = OpenDirAt(cur.get(), segment);
    }
    if (fd < 0 && errno == ENOTDIR) {
      // O_DIRECTORY | O_NOFOLLOW on a symlink gives ENOTDIR; tell it apart from a plain file.
      struct stat st;
      if (::fstatat(cur.get(), segment.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        return ELOOP;
      }
      errno = ENOTDIR;
    }
    if (fd < 0) return errno;
    cur = UniqueFd(fd);
  }
  *out = std::move(cur);
  return 0;
}

int OpenDir(int root_fd, std::string_view dir, bool create, UniqueFd* out) {
  for (int attempt = 1;; ++attempt) {
    int err = OpenDirOnce(root_fd, dir, create, out);
    // A concurrent Delete may prune a directory between our mkdir and our next step: start over
    // (bounded; each retry needs another Delete to empty the same directory at that instant).
    if (err == ENOENT && create && attempt < kCommitAttempts) continue;
    return err;
  }
}

// Splits a valid key into its directory part ("" for a top-level key) and final name.
std::pair<std::string_view, std::string> SplitKey(std::string_view key) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), std::string(key)};
  return {key.substr(0, slash), std::string(key.substr(slash + 1))};
}

// Read-path errno -> Error: anything that means "there is no object of ours here" is kNotFound.
Error ReadPathError(std::string_view what, std::string_view key, int err) {
  if (err == ENOENT || err == ENOTDIR || err == ELOOP) return NotFound(key);
  return IoError(what, key, err);
}

// Write-path errno -> Error.
Error WritePathError(std::string_view what, std::string_view key, int err) {
  if (err == ENOTDIR || err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
    return MakeError(ErrorCode::kConflict,
                     "object store: " + std::string(key) +
                         " conflicts with another key (a key cannot be both an object and a "
                         "prefix of other objects on local storage)");
  }
  if (err == ELOOP) {
    return MakeError(
        ErrorCode::kUnavailable,
        "object store: refusing to follow a symlink inside the storage root for " + std::string(key));
  }
  return IoError(what, key, err);
}

bool IsKeySegment(const char* name) {
  if (name[0] == '\0' || name[0] == '.') return false;  // ".", "..", ".tmp", dot files
  for (const char* p = name; *p; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

struct LocalObjectStore::Dirs {
  std::string root_path;
  UniqueFd root;
  UniqueFd tmp;
  std::string token;  // random per open: temp names never collide across processes or restarts
};

namespace {

class LocalObjectReader final : public ObjectReader {
 public:
  LocalObjectReader(UniqueFd fd, int64_t size, std::string key)
      : fd_(std::move(fd)), size_(size), key_(std::move(key)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    while (true) {
      ssize_t got = ::read(fd_.get(), buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return IoError("read", key_, errno);
    }
  }
  int64_t size() const override { return size_; }

 private:
  UniqueFd fd_;
  int64_t size_;
  std::string key_;
};

class LocalObjectWriter final : public ObjectWriter {
 public:
  LocalObjectWriter(std::shared_ptr<const LocalObjectStore::Dirs> dirs, std::string key,
                    std::string temp_name, UniqueFd fd)
      : dirs_(std::move(dirs)), key_(std::move(key)), temp_name_(std::move(temp_name)), fd_(std::move(fd)) {}
  ~LocalObjectWriter() override { Abort(); }

  Status Write(std::string_view data) override {
    if (done_) return Finished();
    if (failed_) return *failed_;
    while (!data.empty()) {
      ssize_t n = ::write(fd_.get(), data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        // Poison the writer: a caller that ignores this error must not commit a short object.
        failed_ = IoError("write", key_, errno);
        return *failed_;
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += n;
    }
    return Status::Ok();
  }

  Result<ObjectInfo> Commit() override {
    if (done_) return Finished();
    if (failed_) {
      Error e = *failed_;
      Abort();
      return e;
    }
    if (FsyncFd(fd_.get()) != 0) return Fail(IoError("fsync", key_, errno));
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) return Fail(IoError("stat", key_, errno));
    if (fd_.Reset() != 0 && errno != EINTR) return Fail(IoError("close", key_, errno));

    auto [dir, name] = SplitKey(key_);
    UniqueFd parent;
    for (int attempt = 1;; ++attempt) {
      int err = OpenDir(dirs_->root.get(), dir, /*create=*/true, &parent);
      if (err != 0) return Fail(WritePathError("mkdir", key_, err));
      // rename(2) replaces the destination atomically, and if the destination is a symlink it
      // replaces the link itself rather than writing through it.
      if (::renameat(dirs_->tmp.get(), temp_name_.c_str(), parent.get(), name.c_str()) == 0) break;
      err = errno;
      // ENOENT: a concurrent Delete pruned `parent` after we opened it; resolve it again.
      if (err != ENOENT || attempt >= kCommitAttempts) {
        return Fail(WritePathError("rename", key_, err));
      }
    }
    done_ = true;  // the temp file is gone: nothing left to abort
    // The object is now visible; if this fsync fails its durability is unknown (see header).
    if (FsyncFd(parent.get()) != 0) return IoError("fsync directory of", key_, errno);
    return ObjectInfo{key_, static_cast<int64_t>(st.st_size), MtimeMillis(st)};
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    fd_.Reset();
    // Best effort: a leftover temp file is harmless (never listed) but wastes space.
    ::unlinkat(dirs_->tmp.get(), temp_name_.c_str(), 0);
  }

 private:
  Error Fail(Error e) {
    Abort();
    return e;
  }
  Error Finished() const {
    return MakeError(ErrorCode::kInternal, "object writer for " + key_ + " used after Commit or Abort");
  }

  std::shared_ptr<const LocalObjectStore::Dirs> dirs_;
  std::string key_;
  std::string temp_name_;
  UniqueFd fd_;
  int64_t size_ = 0;
  bool done_ = false;
  std::optional<Error> failed_;
};

// Appends the objects under directory `dir_fd` (whose key path is `base`, "" or ending in '/')
// whose keys start with `prefix`. Entries that vanish while we walk are skipped.
Status ListDir(int dir_fd, const std::string& base, std::string_view prefix, std::vector<ObjectInfo>* out) {
  // A new open file description (not dup()): directory fds are shared (the root's by every
  // caller), and a dup would share, and move, their read offset.
  int dup_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0) return IoError("list", base, errno);
  DIR* d = ::fdopendir(dup_fd);
  if (d == nullptr) {
    int err = errno;
    ::close(dup_fd);
    return IoError("list", base, err);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(d, &::closedir);
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) return IoError("list", base, errno);
      break;
    }
    // Skips ".", "..", the ".tmp" directory, and anything a key could not name.
    if (!IsKeySegment(e->d_name)) continue;
    std::string key = base + e->d_name;
    struct stat st;
    if (::fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return IoError("stat", key, errno);
    }
    if (S_ISREG(st.st_mode)) {
      if (key.size() <= 1024 && key.starts_with(prefix)) {
        out->push_back(ObjectInfo{key, static_cast<int64_t>(st.st_size), MtimeMillis(st)});
      }
    } else if (S_ISDIR(st.st_mode)) {
      std::string sub = key + "/";
      // Descend only where a matching key can be.
      if (!sub.starts_with(prefix) && !prefix.starts_with(sub)) continue;
      int fd = OpenDirAt(dir_fd, e->d_name);
      if (fd < 0) {
        if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) continue;
        return IoError("list", sub, errno);
      }
      UniqueFd child(fd);
      PM_RETURN_IF_ERROR(ListDir(child.get(), sub, prefix, out));
    }
    // Symlinks, sockets, fifos, devices: never objects.
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::OpenAt(const std::string& root) {
  if (!InitCrypto()) return MakeError(ErrorCode::kInternal, "libsodium failed to initialise");
  if (root.empty()) return MakeError(ErrorCode::kInvalidArgument, "object store root is empty");
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(root, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "object store root " + root + ": " + ec.message());
  abs = abs.lexically_normal();
  std::string abs_str = abs.string();
  if (abs_str.size() > 1 && abs_str.ends_with('/')) abs_str.pop_back();

  // mkdir -p with our mode (std::filesystem::create_directories would use 0777 & ~umask).
  std::filesystem::path partial;
  for (const auto& part : abs) {
    partial /= part;
    if (::mkdir(partial.c_str(), kDirMode) != 0 && errno != EEXIST) {
      return MakeError(ErrorCode::kUnavailable, "cannot create object store root " + abs_str + ": " +
                                                    partial.string() + ": " + ErrnoText(errno));
    }
  }
  auto dirs = std::make_shared<Dirs>();
  dirs->root_path = abs_str;
  // The root itself may be a symlink (an operator's choice); only paths inside it are guarded.
  dirs->root = UniqueFd(::open(abs_str.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirs->root.valid()) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot open object store root " + abs_str + ": " + ErrnoText(errno));
  }
  if (::mkdirat(dirs->root.get(), kTempDir, kDirMode) != 0 && errno != EEXIST) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create " + abs_str + "/" + kTempDir + ": " + ErrnoText(errno));
  }
  dirs->tmp = UniqueFd(OpenDirAt(dirs->root.get(), kTempDir));
  if (!dirs->tmp.valid()) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot open " + abs_str + "/" + kTempDir + ": " + ErrnoText(errno));
  }
  dirs->token = RandomToken(9);
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(std::move(dirs)));
}

LocalObjectStore::LocalObjectStore(std::shared_ptr<const Dirs> dirs) : dirs_(std::move(dirs)) {}

LocalObjectStore::~LocalObjectStore() = default;

const std::string& LocalObjectStore::root() const {
  return dirs_->root_path;
}

std::string LocalObjectStore::NextTempName() {
  return "w-" + dirs_->token + "-" + std::to_string(next_temp_.fetch_add(1)) + ".tmp";
}

Result<std::unique_ptr<ObjectWriter>> LocalObjectStore::Create(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  std::string temp_name = NextTempName();
  int fd;
  do {
    fd = ::openat(dirs_->tmp.get(), temp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  kFileMode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError("create temp file for", key, errno);
  return std::unique_ptr<ObjectWriter>(
      new LocalObjectWriter(dirs_, std::string(key), std::move(temp_name), UniqueFd(fd)));
}

Result<std::unique_ptr<ObjectReader>> LocalObjectStore::Open(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  auto [dir, name] = SplitKey(key);
  UniqueFd parent;
  if (int err = OpenDir(dirs_->root.get(), dir, /*create=*/false, &parent); err != 0) {
    return ReadPathError("open", key, err);
  }
  int fd;
  do {
    // O_NOFOLLOW: a symlink as the final component fails with ELOOP (-> kNotFound).
    // O_NONBLOCK: opening a FIFO planted in the tree must not hang; it is rejected just below,
    // and on a regular file the flag has no effect.
    fd = ::openat(parent.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ReadPathError("open", key, errno);
  UniqueFd file(fd);
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return IoError("stat", key, errno);
  if (!S_ISREG(st.st_mode)) return NotFound(key);  // a directory is a prefix, not an object
  return std::unique_ptr<ObjectReader>(
      new LocalObjectReader(std::move(file), static_cast<int64_t>(st.st_size), std::string(key)));
}

Result<ObjectInfo> LocalObjectStore::Stat(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  auto [dir, name] = SplitKey(key);
  UniqueFd parent;
  if (int err = OpenDir(dirs_->root.get(), dir, /*create=*/false, &parent); err != 0) {
    return ReadPathError("stat", key, err);
  }
  struct stat st;
  if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ReadPathError("stat", key, errno);
  }
  if (!S_ISREG(st.st_mode)) return NotFound(key);
  return ObjectInfo{std::string(key), static_cast<int64_t>(st.st_size), MtimeMillis(st)};
}

Status LocalObjectStore::Delete(std::string_view key) {
  PM_RETURN_IF_ERROR(ValidateKey(key));
  auto [dir, name] = SplitKey(key);
  UniqueFd parent;
  if (int err = OpenDir(dirs_->root.get(), dir, /*create=*/false, &parent); err != 0) {
    if (err == ENOENT || err == ENOTDIR || err == ELOOP) return Status::Ok();  // nothing of ours
    return IoError("delete", key, err);
  }
  // unlink(2) never follows a symlink; EISDIR means `key` is only a prefix: no such object.
  if (::unlinkat(parent.get(), name.c_str(), 0) != 0) {
    if (errno == ENOENT || errno == EISDIR) return Status::Ok();
    return IoError("delete", key, errno);
  }
  // Erasure must not be undone by a crash.
  if (FsyncFd(parent.get()) != 0) return IoError("fsync directory of", key, errno);
  // Prune directories this left empty, deepest first, never the root. rmdir(2) fails harmlessly
  // (ENOTEMPTY/EEXIST) as soon as a directory still has entries; a Commit racing with us
  // re-resolves its directory (see LocalObjectWriter::Commit).
  std::string_view rest = dir;
  while (!rest.empty()) {
    auto [up, last] = SplitKey(rest);
    UniqueFd up_fd;
    if (OpenDir(dirs_->root.get(), up, /*create=*/false, &up_fd) != 0) break;
    if (::unlinkat(up_fd.get(), last.c_str(), AT_REMOVEDIR) != 0) break;
    rest = up;
  }
  return Status::Ok();
}

Result<std::vector<ObjectInfo>> LocalObjectStore::List(std::string_view prefix) {
  PM_RETURN_IF_ERROR(ValidatePrefix(prefix));
  // Start at the deepest directory the prefix names in full: "tenants/1/" -> tenants/1,
  // "tenants/1" -> tenants (whose "10/" subtree the prefix also matches, as on S3).
  size_t slash = prefix.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : prefix.substr(0, slash);
  std::vector<ObjectInfo> out;
  UniqueFd start;
  if (int err = OpenDir(dirs_->root.get(), dir, /*create=*/false, &start); err != 0) {
    if (err == ENOENT || err == ENOTDIR || err == ELOOP) return out;
    return IoError("list", prefix, err);
  }
  std::string base = dir.empty() ? std::string() : std::string(dir) + "/";
  PM_RETURN_IF_ERROR(ListDir(start.get(), base, prefix, &out));
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status LocalObjectStore::Check() {
  const std::string& root = dirs_->root_path;
  struct stat held, now;
  if (::fstat(dirs_->root.get(), &held) != 0) return IoError("check", root, errno);
  if (::stat(root.c_str(), &now) != 0) return IoError("check", root, errno);
  if (!S_ISDIR(now.st_mode) || held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
    return MakeError(ErrorCode::kUnavailable,
                     "object store: root " + root + " was removed or replaced since start-up");
  }
  // Writability is what matters (read-only remount, permissions, full disk): create a file.
  std::string probe = "check-" + NextTempName();
  int fd = ::openat(dirs_->tmp.get(), probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    kFileMode);
  if (fd < 0) return IoError("check: create file in", root + "/" + kTempDir, errno);
  ::close(fd);
  ::unlinkat(dirs_->tmp.get(), probe.c_str(), 0);
  return Status::Ok();
}

}  // namespace pm::objects
