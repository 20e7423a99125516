#include "objects/failing_object_store.h"

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace pm::objects {

namespace {
constexpr size_t kOpCount = static_cast<size_t>(FailingObjectStore::Op::kCheck) + 1;
}  // namespace

const char* FailingOpName(FailingObjectStore::Op op) {
  using Op = FailingObjectStore::Op;
  switch (op) {
    case Op::kCreate: return "create";
    case Op::kWrite: return "write";
    case Op::kCommit: return "commit";
    case Op::kOpen: return "open";
    case Op::kRead: return "read";
    case Op::kStat: return "stat";
    case Op::kDelete: return "delete";
    case Op::kList: return "list";
    case Op::kCheck: return "check";
  }
  return "?";
}

struct FailingObjectStore::Injector {
  struct Rule {
    int from_call = 0;  // absolute call number that fails first
    bool sticky = false;
  };

  // Counts a call of `op`; returns the error to inject, if any.
  std::optional<Error> Next(Op op) {
    std::lock_guard<std::mutex> lock(mu);
    size_t i = static_cast<size_t>(op);
    int call = ++calls[i];
    const std::optional<Rule>& rule = rules[i];
    if (!rule) return std::nullopt;
    bool fail = rule->sticky ? call >= rule->from_call : call == rule->from_call;
    if (!fail) return std::nullopt;
    ++injected;
    return MakeError(ErrorCode::kUnavailable, std::string("injected failure: ") + FailingOpName(op) +
                                                  " (call " + std::to_string(call) + ")");
  }

  std::mutex mu;
  std::array<int, kOpCount> calls{};                // GUARDED_BY(mu)
  std::array<std::optional<Rule>, kOpCount> rules;  // GUARDED_BY(mu)
  int injected = 0;                                 // GUARDED_BY(mu)
};

namespace {

using Injector = FailingObjectStore::Injector;
using Op = FailingObjectStore::Op;

class FailingWriter final : public ObjectWriter {
 public:
  FailingWriter(std::shared_ptr<Injector> injector, std::unique_ptr<ObjectWriter> base)
      : injector_(std::move(injector)), base_(std::move(base)) {}

  Status Write(std::string_view data) override {
    if (auto e = injector_->Next(Op::kWrite)) return *e;
    return base_->Write(data);
  }
  Result<ObjectInfo> Commit() override {
    if (auto e = injector_->Next(Op::kCommit)) {
      base_->Abort();
      return *e;
    }
    return base_->Commit();
  }
  void Abort() override { base_->Abort(); }

 private:
  std::shared_ptr<Injector> injector_;
  std::unique_ptr<ObjectWriter> base_;
};

class FailingReader final : public ObjectReader {
 public:
  FailingReader(std::shared_ptr<Injector> injector, std::unique_ptr<ObjectReader> base)
      : injector_(std::move(injector)), base_(std::move(base)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    if (auto e = injector_->Next(Op::kRead)) return *e;
    return base_->Read(buf, n);
  }
  int64_t size() const override { return base_->size(); }

 private:
  std::shared_ptr<Injector> injector_;
  std::unique_ptr<ObjectReader> base_;
};

}  // namespace

FailingObjectStore::FailingObjectStore(ObjectStore* base)
    : base_(base), injector_(std::make_shared<Injector>()) {}

FailingObjectStore::FailingObjectStore(std::unique_ptr<ObjectStore> base)
    : owned_(std::move(base)), base_(owned_.get()), injector_(std::make_shared<Injector>()) {}

FailingObjectStore::~FailingObjectStore() = default;

void FailingObjectStore::FailNth(Op op, int n) {
  std::lock_guard<std::mutex> lock(injector_->mu);
  size_t i = static_cast<size_t>(op);
  injector_->rules[i] = Injector::Rule{injector_->calls[i] + n, false};
}

void FailingObjectStore::FailFromNth(Op op, int n) {
  std::lock_guard<std::mutex> lock(injector_->mu);
  size_t i = static_cast<size_t>(op);
  injector_->rules[i] = Injector::Rule{injector_->calls[i] + n, true};
}

void FailingObjectStore::ClearFailures() {
  std::lock_guard<std::mutex> lock(injector_->mu);
  for (auto& rule : injector_->rules) rule.reset();
}

int FailingObjectStore::calls(Op op) const {
  std::lock_guard<std::mutex> lock(injector_->mu);
  return injector_->calls[static_cast<size_t>(op)];
}

int FailingObjectStore::injected_failures() const {
  std::lock_guard<std::mutex> lock(injector_->mu);
  return injector_->injected;
}

Result<std::unique_ptr<ObjectWriter>> FailingObjectStore::Create(std::string_view key) {
  if (auto e = injector_->Next(Op::kCreate)) return *e;
  PM_ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> writer, base_->Create(key));
  return std::unique_ptr<ObjectWriter>(new FailingWriter(injector_, std::move(writer)));
}

Result<std::unique_ptr<ObjectReader>> FailingObjectStore::Open(std::string_view key) {
  if (auto e = injector_->Next(Op::kOpen)) return *e;
  PM_ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> reader, base_->Open(key));
  return std::unique_ptr<ObjectReader>(new FailingReader(injector_, std::move(reader)));
}

Result<ObjectInfo> FailingObjectStore::Stat(std::string_view key) {
  if (auto e = injector_->Next(Op::kStat)) return *e;
  return base_->Stat(key);
}

Status FailingObjectStore::Delete(std::string_view key) {
  if (auto e = injector_->Next(Op::kDelete)) return *e;
  return base_->Delete(key);
}

Result<std::vector<ObjectInfo>> FailingObjectStore::List(std::string_view prefix) {
  if (auto e = injector_->Next(Op::kList)) return *e;
  return base_->List(prefix);
}

Status FailingObjectStore::Check() {
  if (auto e = injector_->Next(Op::kCheck)) return *e;
  return base_->Check();
}

}  // namespace pm::objects
