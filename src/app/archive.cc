#include "app/archive.h"

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <optional>
#include <ctime>
#include <memory>

namespace pm::app {
namespace {

using json = nlohmann::json;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

}  // namespace

std::string FormatUtcMillis(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// --- ArchiveWriter -----------------------------------------------------------------------------

Status ArchiveWriter::Begin(std::string_view name, uint64_t size) {
  if (open_) return MakeError(ErrorCode::kInternal, "archive: Begin before the previous entry was complete");
  if (name == kManifestName) return MakeError(ErrorCode::kInternal, "archive: manifest.json is written by Finish");
  PM_RETURN_IF_ERROR(tar_.Begin(name, size, mtime_s_));
  files_.push_back({std::string(name), size, ""});
  hash_ = Sha256();
  remaining_ = size;
  open_ = true;
  return EndIfComplete();
}

Status ArchiveWriter::EndIfComplete() {
  if (open_ && remaining_ == 0) {
    files_.back().sha256 = hash_.FinishHex();
    open_ = false;
  }
  return Status::Ok();
}

Status ArchiveWriter::Write(std::string_view data) {
  if (!open_ || data.size() > remaining_) {
    return MakeError(ErrorCode::kInternal, "archive: more data than the entry's declared size");
  }
  PM_RETURN_IF_ERROR(tar_.Write(data));
  hash_.Update(data);
  remaining_ -= data.size();
  return EndIfComplete();
}

Status ArchiveWriter::Add(std::string_view name, std::string_view data) {
  PM_RETURN_IF_ERROR(Begin(name, data.size()));
  return Write(data);
}

Status ArchiveWriter::Finish(json manifest) {
  if (open_) return MakeError(ErrorCode::kInternal, "archive: Finish with an incomplete entry");
  json files = json::array();
  for (const ArchiveFile& f : files_) files.push_back({{"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
  manifest["files"] = std::move(files);
  PM_RETURN_IF_ERROR(tar_.Add(kManifestName, manifest.dump(2) + "\n", mtime_s_));
  return tar_.Finish();
}

// --- Verification ------------------------------------------------------------------------------

Result<VerifiedArchive> VerifyArchive(const std::string& path, std::string_view format,
                                      int format_version, uint64_t max_entry_bytes) {
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(path.c_str(), "rb"));
  if (!in) return Bad("cannot read " + path + ": " + std::strerror(errno));
  TarReader reader(in.get(), max_entry_bytes);
  std::map<std::string, ArchiveFile> seen;
  std::optional<std::string> manifest_text;
  std::vector<char> buf(1 << 16);
  for (;;) {
    PM_ASSIGN_OR_RETURN(std::optional<TarEntry> entry, reader.Next());
    if (!entry) break;
    if (manifest_text) return Bad("manifest.json is not the last entry of the archive");
    if (entry->name == kManifestName) {
      PM_ASSIGN_OR_RETURN(std::string text, reader.ReadAll(1 << 24));
      manifest_text = std::move(text);
      continue;
    }
    if (seen.count(entry->name)) return Bad("the archive holds " + entry->name + " twice");
    Sha256 hash;
    uint64_t total = 0;
    for (;;) {
      PM_ASSIGN_OR_RETURN(size_t n, reader.Read(buf.data(), buf.size()));
      if (n == 0) break;
      hash.Update(std::string_view(buf.data(), n));
      total += n;
    }
    seen.emplace(entry->name, ArchiveFile{entry->name, total, hash.FinishHex()});
  }
  // Whatever follows the end-of-archive blocks must be zero padding (tar pads to records).
  int c;
  while ((c = std::fgetc(in.get())) != EOF) {
    if (c != 0) return Bad("the archive has data after its end");
  }
  if (!manifest_text) return Bad("the archive has no manifest.json (not a Palette Maker archive, or truncated)");
  json manifest = json::parse(*manifest_text, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object()) return Bad("manifest.json is not a JSON object");
  auto fmt = manifest.find("format");
  if (fmt == manifest.end() || !fmt->is_string() || fmt->get<std::string>() != format) {
    return Bad("the archive is not a " + std::string(format) + " archive (manifest format: " +
               (fmt != manifest.end() ? fmt->dump() : std::string("missing")) + ")");
  }
  auto ver = manifest.find("format_version");
  if (ver == manifest.end() || !ver->is_number_integer() || ver->get<int64_t>() != format_version) {
    return Bad("unsupported archive format_version " + (ver != manifest.end() ? ver->dump() : std::string("(missing)")) +
               " (this binary reads version " + std::to_string(format_version) + ")");
  }
  auto files = manifest.find("files");
  if (files == manifest.end() || !files->is_array()) return Bad("manifest.json has no files list");
  VerifiedArchive out;
  for (const json& f : *files) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("size") ||
        !f["size"].is_number_unsigned() || !f.contains("sha256") || !f["sha256"].is_string()) {
      return Bad("manifest.json has a malformed files entry");
    }
    ArchiveFile af{f["name"].get<std::string>(), f["size"].get<uint64_t>(), f["sha256"].get<std::string>()};
    auto it = seen.find(af.name);
    if (it == seen.end()) return Bad("the archive is missing " + af.name + ", which its manifest lists");
    if (it->second.size != af.size || it->second.sha256 != af.sha256) {
      return Bad("checksum mismatch for " + af.name + ": the archive is corrupt or was modified");
    }
    if (!out.files.emplace(af.name, af).second) return Bad("manifest.json lists " + af.name + " twice");
  }
  for (const auto& [name, file] : seen) {
    if (!out.files.count(name)) return Bad("the archive holds " + name + ", which its manifest does not list");
  }
  out.manifest = std::move(manifest);
  return out;
}

Status CopyEntryChecked(TarReader& reader, const ArchiveFile& expected,
                        const std::function<Status(std::string_view)>& sink) {
  Sha256 hash;
  uint64_t total = 0;
  std::vector<char> buf(1 << 16);
  for (;;) {
    PM_ASSIGN_OR_RETURN(size_t n, reader.Read(buf.data(), buf.size()));
    if (n == 0) break;
    std::string_view chunk(buf.data(), n);
    hash.Update(chunk);
    total += n;
    PM_RETURN_IF_ERROR(sink(chunk));
  }
  if (total != expected.size || hash.FinishHex() != expected.sha256) {
    return Bad("checksum mismatch for " + expected.name + ": the archive changed while it was read");
  }
  return Status::Ok();
}

}  // namespace pm::app
