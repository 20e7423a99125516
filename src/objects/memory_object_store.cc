#include "objects/memory_object_store.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace pm::objects {

struct MemoryObjectStore::State {
  struct Entry {
    std::shared_ptr<const std::string> data;  // shared with open readers
    int64_t modified_ms = 0;
  };

  explicit State(const Clock* c) : clock(c) {}

  void Record(std::string op) {
    std::lock_guard<std::mutex> lock(mu);
    ops.push_back(std::move(op));
  }

  const Clock* const clock;
  mutable std::mutex mu;
  std::map<std::string, Entry> objects;  // GUARDED_BY(mu)
  std::vector<std::string> ops;          // GUARDED_BY(mu)
  std::optional<Error> check_error;      // GUARDED_BY(mu)
};

namespace {

using State = MemoryObjectStore::State;

Error NotFound(std::string_view key) {
  return MakeError(ErrorCode::kNotFound, "object not found: " + std::string(key));
}

class MemoryObjectWriter final : public ObjectWriter {
 public:
  MemoryObjectWriter(std::shared_ptr<State> state, std::string key)
      : state_(std::move(state)), key_(std::move(key)) {}
  ~MemoryObjectWriter() override { Abort(); }

  Status Write(std::string_view data) override {
    if (done_) return Finished();
    buffer_.append(data);
    return Status::Ok();
  }

  Result<ObjectInfo> Commit() override {
    if (done_) return Finished();
    done_ = true;
    int64_t now = state_->clock->NowMillis();
    auto size = static_cast<int64_t>(buffer_.size());
    auto data = std::make_shared<const std::string>(std::move(buffer_));
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->ops.push_back("commit " + key_);
    state_->objects[key_] = State::Entry{std::move(data), now};
    return ObjectInfo{key_, size, now};
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    buffer_.clear();
    state_->Record("abort " + key_);
  }

 private:
  Error Finished() const {
    return MakeError(ErrorCode::kInternal, "object writer for " + key_ + " used after Commit or Abort");
  }

  std::shared_ptr<State> state_;
  std::string key_;
  std::string buffer_;
  bool done_ = false;
};

class MemoryObjectReader final : public ObjectReader {
 public:
  explicit MemoryObjectReader(std::shared_ptr<const std::string> data) : data_(std::move(data)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    size_t count = std::min(n, data_->size() - pos_);
    data_->copy(buf, count, pos_);
    pos_ += count;
    return count;
  }
  int64_t size() const override { return static_cast<int64_t>(data_->size()); }

 private:
  std::shared_ptr<const std::string> data_;
  size_t pos_ = 0;
};

}  // namespace

MemoryObjectStore::MemoryObjectStore(const Clock* clock) : state_(std::make_shared<State>(clock)) {}

MemoryObjectStore::~MemoryObjectStore() = default;

Result<std::unique_ptr<ObjectWriter>> MemoryObjectStore::Create(std::string_view key) {
  state_->Record("create " + std::string(key));
  PM_RETURN_IF_ERROR(ValidateKey(key));
  return std::unique_ptr<ObjectWriter>(new MemoryObjectWriter(state_, std::string(key)));
}

Result<std::unique_ptr<ObjectReader>> MemoryObjectStore::Open(std::string_view key) {
  state_->Record("open " + std::string(key));
  PM_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->objects.find(std::string(key));
  if (it == state_->objects.end()) return NotFound(key);
  return std::unique_ptr<ObjectReader>(new MemoryObjectReader(it->second.data));
}

Result<ObjectInfo> MemoryObjectStore::Stat(std::string_view key) {
  state_->Record("stat " + std::string(key));
  PM_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->objects.find(std::string(key));
  if (it == state_->objects.end()) return NotFound(key);
  return ObjectInfo{it->first, static_cast<int64_t>(it->second.data->size()), it->second.modified_ms};
}

Status MemoryObjectStore::Delete(std::string_view key) {
  state_->Record("delete " + std::string(key));
  PM_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->objects.erase(std::string(key));
  return Status::Ok();
}

Result<std::vector<ObjectInfo>> MemoryObjectStore::List(std::string_view prefix) {
  state_->Record("list " + std::string(prefix));
  PM_RETURN_IF_ERROR(ValidatePrefix(prefix));
  std::vector<ObjectInfo> out;
  std::lock_guard<std::mutex> lock(state_->mu);
  // std::map orders keys bytewise, as the contract requires.
  for (auto it = state_->objects.lower_bound(std::string(prefix));
       it != state_->objects.end() && it->first.starts_with(prefix); ++it) {
    out.push_back(
        ObjectInfo{it->first, static_cast<int64_t>(it->second.data->size()), it->second.modified_ms});
  }
  return out;
}

Status MemoryObjectStore::Check() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->ops.push_back("check");
  if (state_->check_error) return *state_->check_error;
  return Status::Ok();
}

std::vector<std::string> MemoryObjectStore::operations() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->ops;
}

void MemoryObjectStore::ClearOperations() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->ops.clear();
}

std::map<std::string, std::string> MemoryObjectStore::Contents() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::map<std::string, std::string> out;
  for (const auto& [key, entry] : state_->objects) out.emplace(key, *entry.data);
  return out;
}

size_t MemoryObjectStore::object_count() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->objects.size();
}

bool MemoryObjectStore::Contains(std::string_view key) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->objects.count(std::string(key)) > 0;
}

void MemoryObjectStore::SetCheckError(std::optional<Error> error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->check_error = std::move(error);
}

}  // namespace pm::objects
