#include "app/tenant_archive.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "app/accounts.h"
#include "app/archive.h"
#include "app/audit.h"
#include "app/palette_edit.h"
#include "app/purge.h"
#include "app/text.h"
#include "app/workspaces.h"
#include "common/crypto.h"
#include "common/rfc3339.h"
#include "objects/object_store.h"

namespace pm::app {
namespace {

using json = nlohmann::json;

constexpr const char* kWorkspaceEntry = "workspace.json";
constexpr const char* kMembersEntry = "members.json";
constexpr const char* kPalettesEntry = "palettes.json";
constexpr const char* kObjectsPrefix = "objects/";
constexpr uint64_t kMaxJsonBytes = uint64_t{256} << 20;
constexpr uint64_t kMaxEntryBytes = uint64_t{1} << 36;  // 64 GiB: far above any upload limit

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// tenants/{id}/REST -> REST (the part that does not depend on the deployment).
Result<std::string> KeyRest(TenantId tenant, const std::string& key) {
  std::string prefix = "tenants/" + std::to_string(tenant.value) + "/";
  if (!StartsWith(key, prefix) || key.size() == prefix.size()) {
    return MakeError(ErrorCode::kInternal, "object key " + key + " is not under " + prefix);
  }
  return key.substr(prefix.size());
}

json ParseStored(const std::string& text, const char* what, PaletteId id) {
  json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    // Stored JSON is ours; keep the export going with the text as it is, visibly.
    return json{{"unparsed_" + std::string(what), text}, {"palette", id.value}};
  }
  return v;
}

std::optional<int64_t> Time(const json& obj, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  auto t = ParseRfc3339Millis(it->get<std::string>());
  if (!t || *t < 0) return std::nullopt;
  return t;
}

// --- Import: the archive's JSON, checked --------------------------------------------------------

struct ImportedMember {
  std::string email;
  std::string role;
};

struct ImportedPalette {
  std::string name;
  store::ImageMeta image;  // object_key = the archive entry until stored
  std::string entry;
  std::string colors_json, labels_json, coverage_json, regions_json, region_colors_json, region_labels_json,
      params_json;
  std::optional<int> background_index;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by_email;
};

struct ImportedWorkspace {
  std::string slug;
  std::string name;
  std::string plan;
  int64_t created_at = 0;
  std::vector<ImportedMember> members;
  std::vector<ImportedPalette> palettes;  // top of the list first
};

// obj[field] when it has the type `is` checks; otherwise records the error in *st (the first
// one wins) and returns an empty value of that type, so the caller's get<> cannot throw.
const json& Require(const json& obj, const char* field, const std::string& where, bool (json::*is)() const noexcept,
                    const char* type, Status* st) {
  static const json kString = "";
  static const json kInteger = 0;
  static const json kArray = json::array();
  static const json kObject = json::object();
  auto it = obj.find(field);
  if (it == obj.end() || !((*it).*is)()) {
    if (st->ok()) *st = Bad(where + ": " + field + " must be " + type);
    if (is == &json::is_string) return kString;
    if (is == &json::is_array) return kArray;
    if (is == &json::is_object) return kObject;
    return kInteger;
  }
  return *it;
}

Result<ImportedWorkspace> ParseImportUnchecked(const std::string& ws_text, const std::string& members_text,
                                      const std::string& palettes_text, const VerifiedArchive& archive) {
  ImportedWorkspace out;
  Status st;
  json ws = json::parse(ws_text, nullptr, false);
  if (ws.is_discarded() || !ws.is_object()) return Bad("workspace.json is not a JSON object");
  out.slug = Require(ws, "slug", "workspace.json", &json::is_string, "a string", &st).get<std::string>();
  out.name = Require(ws, "name", "workspace.json", &json::is_string, "a string", &st).get<std::string>();
  if (ws.contains("plan") && ws["plan"].is_string()) out.plan = ws["plan"].get<std::string>();
  auto created = Time(ws, "created_at");
  if (!created) return Bad("workspace.json: created_at must be an RFC 3339 time");
  out.created_at = *created;
  PM_RETURN_IF_ERROR(st);

  json members = json::parse(members_text, nullptr, false);
  if (members.is_discarded() || !members.is_array()) return Bad("members.json is not a JSON array");
  int owners = 0;
  for (const json& m : members) {
    if (!m.is_object()) return Bad("members.json: every member must be an object");
    ImportedMember im;
    auto email = NormalizeEmail(Require(m, "email", "members.json", &json::is_string, "a string", &st).get<std::string>());
    PM_RETURN_IF_ERROR(st);
    if (!email.ok()) return Bad("members.json: " + email.error().message);
    im.email = *email;
    im.role = Require(m, "role", "members.json", &json::is_string, "a string", &st).get<std::string>();
    PM_RETURN_IF_ERROR(st);
    if (!auth::ParseRole(im.role)) return Bad("members.json: unknown role " + im.role);
    if (im.role == "owner") ++owners;
    out.members.push_back(std::move(im));
  }
  if (owners != 1) return Bad("members.json must name exactly one owner");

  json palettes = json::parse(palettes_text, nullptr, false);
  if (palettes.is_discarded() || !palettes.is_array()) return Bad("palettes.json is not a JSON array");
  for (size_t i = 0; i < palettes.size(); ++i) {
    const json& p = palettes[i];
    const std::string where = "palettes.json[" + std::to_string(i) + "]";
    if (!p.is_object()) return Bad(where + " is not an object");
    ImportedPalette ip;
    auto name = ValidateName(Require(p, "name", where, &json::is_string, "a string", &st).get<std::string>(), "name", 100);
    PM_RETURN_IF_ERROR(st);
    if (!name.ok()) return Bad(where + ": " + name.error().message);
    ip.name = *name;
    const json& img = Require(p, "image", where, &json::is_object, "an object", &st);
    PM_RETURN_IF_ERROR(st);
    ip.entry = Require(img, "entry", where + ".image", &json::is_string, "a string", &st).get<std::string>();
    ip.image.format = Require(img, "format", where + ".image", &json::is_string, "a string", &st).get<std::string>();
    ip.image.mime = Require(img, "mime", where + ".image", &json::is_string, "a string", &st).get<std::string>();
    ip.image.sha256 = Require(img, "sha256", where + ".image", &json::is_string, "a string", &st).get<std::string>();
    const json& w = Require(img, "width", where + ".image", &json::is_number_integer, "an integer", &st);
    const json& h = Require(img, "height", where + ".image", &json::is_number_integer, "an integer", &st);
    const json& b = Require(img, "bytes", where + ".image", &json::is_number_integer, "an integer", &st);
    PM_RETURN_IF_ERROR(st);
    ip.image.width = w.get<int>();
    ip.image.height = h.get<int>();
    ip.image.bytes = b.get<int64_t>();
    auto file = archive.files.find(ip.entry);
    if (!StartsWith(ip.entry, kObjectsPrefix) || file == archive.files.end()) {
      return Bad(where + ": its image " + ip.entry + " is not in the archive");
    }
    if (file->second.sha256 != ip.image.sha256 || static_cast<int64_t>(file->second.size) != ip.image.bytes) {
      return Bad(where + ": its image does not match the SHA-256 and size the palette records");
    }
    auto array_text = [&](const char* field, std::string* outp) {
      const json& v = Require(p, field, where, &json::is_array, "an array", &st);
      if (st.ok()) *outp = v.dump();
    };
    array_text("colors", &ip.colors_json);
    array_text("labels", &ip.labels_json);
    array_text("coverage", &ip.coverage_json);
    array_text("regions", &ip.regions_json);
    array_text("region_colors", &ip.region_colors_json);
    array_text("region_labels", &ip.region_labels_json);
    const json& params = Require(p, "params", where, &json::is_object, "an object", &st);
    PM_RETURN_IF_ERROR(st);
    ip.params_json = params.dump();
    for (const json& c : p["colors"]) {
      if (!c.is_string() || !NormalizeHexColor(c.get<std::string>(), "colors").ok()) {
        return Bad(where + ": colors must be #rrggbb strings");
      }
    }
    for (const char* field : {"labels", "region_labels"}) {
      for (const json& l : p[field]) {
        if (!l.is_string()) return Bad(where + ": " + field + " must be strings");
      }
    }
    if (p["labels"].size() != p["colors"].size()) return Bad(where + ": one label per colour");
    if (p["region_labels"].size() != p["regions"].size()) return Bad(where + ": one region label per region");
    if (p.contains("background") && !p["background"].is_null()) {
      if (!p["background"].is_number_integer()) return Bad(where + ": background must be an integer or null");
      int bg = p["background"].get<int>();
      if (bg < 0 || static_cast<size_t>(bg) >= p["colors"].size()) return Bad(where + ": background is not a colour index");
      ip.background_index = bg;
    }
    auto c = Time(p, "created_at");
    auto u = Time(p, "updated_at");
    if (!c || !u) return Bad(where + ": created_at and updated_at must be RFC 3339 times");
    ip.created_at = *c;
    ip.updated_at = std::max(*u, *c);
    if (p.contains("created_by") && p["created_by"].is_string()) ip.created_by_email = p["created_by"].get<std::string>();
    out.palettes.push_back(std::move(ip));
  }
  return out;
}

// The verified record of the entry being read; an entry the first pass did not see means the
// file changed in between.
Result<ArchiveFile> Expected(const VerifiedArchive& verified, const std::string& name) {
  auto it = verified.files.find(name);
  if (it == verified.files.end()) return Bad("the archive changed while it was read (" + name + ")");
  return it->second;
}

// nlohmann::json throws on some malformed input even after the checks (e.g. a number out of
// range for get<int>); the edge converts that into a refusal of the archive.
Result<ImportedWorkspace> ParseImport(const std::string& ws_text, const std::string& members_text,
                                      const std::string& palettes_text, const VerifiedArchive& archive) {
  try {
    return ParseImportUnchecked(ws_text, members_text, palettes_text, archive);
  } catch (const json::exception& e) {
    return Bad(std::string("malformed JSON in the archive: ") + e.what());
  }
}

}  // namespace

// --- Export -------------------------------------------------------------------------------------

Result<store::TenantSummary> FindWorkspaceBySlug(store::Store& store, const std::string& slug) {
  store::TenantFilter filter;
  filter.query = slug;
  filter.limit = 1000;
  for (;;) {
    PM_ASSIGN_OR_RETURN(std::vector<store::TenantSummary> rows, store.ListTenantSummaries(filter));
    for (const auto& t : rows) {
      if (t.workspace.slug == slug && !t.workspace.deleted_at) return t;
    }
    if (rows.size() < static_cast<size_t>(filter.limit)) break;
    filter.after_id = rows.back().workspace.id.value;
  }
  return MakeError(ErrorCode::kNotFound, "no workspace with the slug " + slug);
}

std::string TenantExportFileName(const std::string& slug, int64_t now_ms) {
  return "palettemaker-" + slug + "-" + FormatUtcMillis(now_ms).substr(0, 10) + ".tar";
}

namespace {
Result<TenantExportSummary> ExportTenantUnchecked(const Services& services, const store::Workspace& workspace,
                                                  std::FILE* out, const std::string& binary_version);
}  // namespace

Result<TenantExportSummary> ExportTenant(const Services& services, const store::Workspace& workspace,
                                         std::FILE* out, const std::string& binary_version) {
  try {
    return ExportTenantUnchecked(services, workspace, out, binary_version);
  } catch (const json::exception& e) {  // dump() refuses invalid UTF-8
    return MakeError(ErrorCode::kInternal, std::string("cannot encode the export: ") + e.what());
  }
}

namespace {
Result<TenantExportSummary> ExportTenantUnchecked(const Services& services, const store::Workspace& workspace,
                                                  std::FILE* out, const std::string& binary_version) {
  const TenantId tenant = workspace.id;
  const int64_t now = services.clock->NowMillis();
  TenantExportSummary summary;

  PM_ASSIGN_OR_RETURN(std::vector<store::Member> members, services.store->ListMembers(tenant));
  std::map<int64_t, std::string> email_of;
  json members_json = json::array();
  for (const store::Member& m : members) {
    email_of[m.user_id.value] = m.email;
    members_json.push_back({{"email", m.email}, {"name", m.name}, {"role", m.role}, {"joined_at", FormatUtcMillis(m.joined_at)}});
  }
  summary.members = static_cast<int64_t>(members.size());

  std::vector<store::Palette> palettes;
  std::optional<store::PageCursor> cursor;
  for (;;) {
    PM_ASSIGN_OR_RETURN(store::PalettePage page, services.store->ListPalettes(tenant, cursor, 1000));
    for (auto& p : page.items) palettes.push_back(std::move(p));
    if (!page.next) break;
    cursor = page.next;
  }
  json palettes_json = json::array();
  std::map<std::string, std::string> entry_of_key;  // object key -> archive entry (sorted)
  for (const store::Palette& p : palettes) {
    PM_ASSIGN_OR_RETURN(std::string rest, KeyRest(tenant, p.image.object_key));
    std::string entry = kObjectsPrefix + rest;
    entry_of_key.emplace(p.image.object_key, entry);
    json item = {{"id", p.id.value},
                 {"name", p.name},
                 {"image",
                  {{"entry", entry},
                   {"format", p.image.format},
                   {"mime", p.image.mime},
                   {"width", p.image.width},
                   {"height", p.image.height},
                   {"bytes", p.image.bytes},
                   {"sha256", p.image.sha256}}},
                 {"colors", ParseStored(p.colors_json, "colors", p.id)},
                 {"labels", ParseStored(p.labels_json, "labels", p.id)},
                 {"coverage", ParseStored(p.coverage_json, "coverage", p.id)},
                 {"regions", ParseStored(p.regions_json, "regions", p.id)},
                 {"region_colors", ParseStored(p.region_colors_json, "region_colors", p.id)},
                 {"region_labels", ParseStored(p.region_labels_json, "region_labels", p.id)},
                 {"params", ParseStored(p.params_json, "params", p.id)},
                 {"background", p.background_index ? json(*p.background_index) : json(nullptr)},
                 {"created_at", FormatUtcMillis(p.created_at)},
                 {"updated_at", FormatUtcMillis(p.updated_at)}};
    auto by = email_of.find(p.created_by.value);
    item["created_by"] = by != email_of.end() ? json(by->second) : json(nullptr);
    palettes_json.push_back(std::move(item));
  }
  summary.palettes = static_cast<int64_t>(palettes.size());

  ArchiveWriter archive(out, now / 1000);
  json ws = {{"slug", workspace.slug},
             {"name", workspace.name},
             {"plan", workspace.plan},
             {"personal", workspace.personal},
             {"created_at", FormatUtcMillis(workspace.created_at)}};
  PM_RETURN_IF_ERROR(archive.Add(kWorkspaceEntry, ws.dump(2) + "\n"));
  PM_RETURN_IF_ERROR(archive.Add(kMembersEntry, members_json.dump(2) + "\n"));
  PM_RETURN_IF_ERROR(archive.Add(kPalettesEntry, palettes_json.dump(2) + "\n"));
  std::vector<char> buf(1 << 16);
  for (const auto& [key, entry] : entry_of_key) {
    auto reader = services.objects->Open(key);
    if (!reader.ok()) {
      return MakeError(reader.error().code == ErrorCode::kNotFound ? ErrorCode::kUnavailable : reader.error().code,
                       "cannot read the image " + key + ": " + reader.error().message);
    }
    const int64_t size = (*reader)->size();
    PM_RETURN_IF_ERROR(archive.Begin(entry, static_cast<uint64_t>(size)));
    int64_t copied = 0;
    for (;;) {
      PM_ASSIGN_OR_RETURN(size_t n, (*reader)->Read(buf.data(), buf.size()));
      if (n == 0) break;
      if (copied + static_cast<int64_t>(n) > size) return MakeError(ErrorCode::kUnavailable, "image " + key + " changed while it was read");
      PM_RETURN_IF_ERROR(archive.Write(std::string_view(buf.data(), n)));
      copied += static_cast<int64_t>(n);
    }
    if (copied != size) return MakeError(ErrorCode::kUnavailable, "image " + key + " changed while it was read");
    ++summary.objects;
    summary.object_bytes += size;
  }
  json manifest = {{"format", kTenantExportFormat},
                   {"format_version", kTenantExportFormatVersion},
                   {"created_at", FormatUtcMillis(now)},
                   {"binary_version", binary_version},
                   {"workspace", workspace.slug},
                   {"members", summary.members},
                   {"palettes", summary.palettes},
                   {"objects", summary.objects}};
  PM_RETURN_IF_ERROR(archive.Finish(std::move(manifest)));
  summary.archive_bytes = static_cast<int64_t>(archive.bytes_written());
  return summary;
}
}  // namespace

// --- Import -------------------------------------------------------------------------------------

Result<TenantImportSummary> ImportTenant(const Services& services, const TenantImportOptions& options) {
  PM_ASSIGN_OR_RETURN(VerifiedArchive verified,
                      VerifyArchive(options.archive, kTenantExportFormat, kTenantExportFormatVersion, kMaxEntryBytes));
  for (const char* required : {kWorkspaceEntry, kMembersEntry, kPalettesEntry}) {
    if (!verified.files.count(required)) return Bad(std::string("the archive has no ") + required);
  }
  for (const auto& [name, file] : verified.files) {
    if (name == kWorkspaceEntry || name == kMembersEntry || name == kPalettesEntry) continue;
    if (!StartsWith(name, kObjectsPrefix)) return Bad("the archive holds an unexpected entry " + name);
    PM_RETURN_IF_ERROR(objects::ValidateKey(name.substr(std::string_view(kObjectsPrefix).size())));
  }

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(options.archive.c_str(), "rb"), &std::fclose);
  if (!in) return Bad("cannot read " + options.archive);
  TarReader reader(in.get(), kMaxEntryBytes);
  // The JSON entries come first: read and check them all before anything is created.
  std::map<std::string, std::string> texts;
  std::optional<TarEntry> entry;
  for (;;) {
    PM_ASSIGN_OR_RETURN(entry, reader.Next());
    if (!entry || StartsWith(entry->name, kObjectsPrefix) || entry->name == kManifestName) break;
    std::string text;
    PM_ASSIGN_OR_RETURN(ArchiveFile expected, Expected(verified, entry->name));
    PM_RETURN_IF_ERROR(CopyEntryChecked(reader, expected, [&](std::string_view chunk) -> Status {
      if (text.size() + chunk.size() > kMaxJsonBytes) return Bad(entry->name + " is too large");
      text.append(chunk);
      return Status::Ok();
    }));
    texts[entry->name] = std::move(text);
  }
  if (texts.size() != 3) return Bad("workspace.json, members.json and palettes.json must precede the images");
  PM_ASSIGN_OR_RETURN(ImportedWorkspace ws, ParseImport(texts[kWorkspaceEntry], texts[kMembersEntry], texts[kPalettesEntry], verified));
  std::set<std::string> referenced;
  for (const ImportedPalette& p : ws.palettes) referenced.insert(p.entry);
  for (const auto& [name, file] : verified.files) {
    if (StartsWith(name, kObjectsPrefix) && !referenced.count(name)) return Bad("the archive holds " + name + ", which no palette uses");
  }

  const std::string slug = options.slug.empty() ? ws.slug : options.slug;
  PM_RETURN_IF_ERROR(ValidateSlug(slug));
  std::string owner_email;
  for (const ImportedMember& m : ws.members) {
    if (m.role == "owner") owner_email = m.email;
  }
  if (!options.owner_email.empty()) {
    PM_ASSIGN_OR_RETURN(owner_email, NormalizeEmail(options.owner_email));
  }
  auto owner = services.store->FindUserByEmail(owner_email);
  if (!owner.ok()) {
    if (owner.error().code != ErrorCode::kNotFound) return owner.error();
    return MakeError(ErrorCode::kNotFound, "no account with the owner's e-mail address " + owner_email +
                                               " in this deployment: create it first, or pass --owner EMAIL");
  }

  TenantImportSummary summary;
  summary.slug = slug;
  store::NewWorkspace nw{slug, ws.name, false};
  auto created = services.store->CreateWorkspace(owner->id, nw, ws.created_at);
  if (!created.ok()) {
    if (created.error().code == ErrorCode::kConflict) {
      return MakeError(ErrorCode::kConflict, "a workspace with the slug " + slug + " already exists here; pass --slug NEW");
    }
    return created.error();
  }
  const TenantId tenant = created->id;
  summary.tenant = tenant;

  // From here on, a failure removes the workspace again (its objects, then its rows).
  auto body = [&]() -> Status {
    if (!ws.plan.empty()) {
      auto planned = services.store->SetTenantPlan(tenant, ws.plan);
      if (!planned.ok()) return planned.error();
    }
    std::map<std::string, UserId> user_of;
    user_of[owner_email] = owner->id;
    const int64_t now = services.clock->NowMillis();
    for (const ImportedMember& m : ws.members) {
      if (m.email == owner_email) continue;
      auto user = services.store->FindUserByEmail(m.email);
      if (!user.ok()) {
        if (user.error().code != ErrorCode::kNotFound) return user.error();
        summary.members_missing.push_back(m.email);
        continue;
      }
      // The archive's owner, when --owner named someone else, stays on as an admin.
      std::string role = m.role == "owner" ? "admin" : m.role;
      // Members are added the way the product adds them: an invitation accepted at once.
      std::string token_hash = Sha256Hex(RandomToken());
      store::NewInvitation inv{m.email, role, token_hash, owner->id, now + 3600 * 1000};
      auto invited = services.store->CreateInvitation(tenant, inv, now);
      if (!invited.ok()) return invited.error();
      auto accepted = services.store->AcceptInvitation(token_hash, user->id, now);
      if (!accepted.ok()) return accepted.error();
      user_of[m.email] = user->id;
      summary.members_added.push_back(m.email + " (" + role + ")");
    }

    // The images, in archive order, each checked again against the manifest as it streams.
    std::map<std::string, std::string> key_of_entry;
    while (entry && StartsWith(entry->name, kObjectsPrefix)) {
      const std::string rest = entry->name.substr(std::string_view(kObjectsPrefix).size());
      PM_ASSIGN_OR_RETURN(std::string key, objects::TenantKey(tenant, rest));
      PM_ASSIGN_OR_RETURN(std::unique_ptr<objects::ObjectWriter> writer, services.objects->Create(key));
      PM_ASSIGN_OR_RETURN(ArchiveFile expected, Expected(verified, entry->name));
      PM_RETURN_IF_ERROR(CopyEntryChecked(reader, expected,
                                          [&](std::string_view chunk) { return writer->Write(chunk); }));
      auto committed = writer->Commit();
      if (!committed.ok()) {
        (void)services.objects->Delete(key);
        return committed.error();
      }
      key_of_entry[entry->name] = key;
      ++summary.objects;
      summary.object_bytes += static_cast<int64_t>(entry->size);
      PM_ASSIGN_OR_RETURN(entry, reader.Next());
    }
    if (entry && entry->name != kManifestName) return Bad("unexpected entry " + entry->name + " after the images");

    // The palettes, bottom of the list first, so the archive's order comes out on top.
    for (auto it = ws.palettes.rbegin(); it != ws.palettes.rend(); ++it) {
      const ImportedPalette& p = *it;
      auto key = key_of_entry.find(p.entry);
      if (key == key_of_entry.end()) return Bad("the image " + p.entry + " is missing from the archive");
      store::NewPalette np;
      np.name = p.name;
      np.image = p.image;
      np.image.object_key = key->second;
      np.colors_json = p.colors_json;
      np.labels_json = p.labels_json;
      np.coverage_json = p.coverage_json;
      np.params_json = p.params_json;
      auto by = user_of.find(p.created_by_email);
      np.created_by = by != user_of.end() ? by->second : UserId(0);
      PM_ASSIGN_OR_RETURN(store::Palette row, services.store->CreatePalette(tenant, np, p.created_at));
      ++summary.palettes;
      // A palette never changed since its upload keeps updated_at == created_at: no update.
      if (p.updated_at == p.created_at && p.regions_json == "[]" && p.region_colors_json == "[]" &&
          p.region_labels_json == "[]" && !p.background_index) {
        continue;
      }
      store::PaletteUpdate u;
      u.regions_json = p.regions_json;
      u.region_colors_json = p.region_colors_json;
      u.region_labels_json = p.region_labels_json;
      u.background_index = p.background_index;
      // updated_at becomes max(p.updated_at, created_at + 1): kept unless it equals created_at.
      auto updated = services.store->UpdatePalette(tenant, row.id, u, p.updated_at);
      if (!updated.ok()) return updated.error();
    }
    return Status::Ok();
  }();
  if (!body.ok()) {
    auto purged = PurgeWorkspace(services, tenant);
    Error e = body.error();
    if (!purged.ok()) e.message += " (and removing the half-imported workspace failed: " + purged.error().message + ")";
    return e;
  }
  AuditEvent event;
  event.action = "workspace.imported";
  event.tenant = tenant;
  event.actor_kind = "system";
  event.target = "workspace:" + std::to_string(tenant.value);
  event.details_json = json{{"palettes", summary.palettes},
                            {"objects", summary.objects},
                            {"members_added", summary.members_added.size()},
                            {"members_missing", summary.members_missing.size()}}
                           .dump();
  Audit(services, event);
  return summary;
}

}  // namespace pm::app
