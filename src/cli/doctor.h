// `palettemaker doctor`: the checks an operator runs when something is wrong. Each check is one
// line `ok|warn|FAIL  <check>  <detail>`; a FAIL says what to do.
//
// Lives in cli/ (not app/) because it opens the configured backends, which only cli/ may do.
//
// Never modifies tenant data: the database is only read (no migrations are applied; a SQLite
// file that does not exist yet is not created), and the object-store probe writes, reads and
// deletes one object under kDoctorPrefix, which no tenant key can start with (tenant keys all
// start with "tenants/"). The data-directory probe creates and removes one file there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"

namespace pm::cli {

inline constexpr const char* kDoctorPrefix = "_doctor/";

enum class CheckStatus { kOk, kWarn, kFail };

struct DoctorCheck {
  std::string name;  // "config", "data_dir", "database", ...
  CheckStatus status = CheckStatus::kOk;
  std::string detail;  // one line
};

struct DoctorOptions {
  std::string config_path;     // --config ("" = defaults + environment)
  int64_t min_free_mb = 1024;  // warn when the data directory's file system has less free
  int timeout_s = 5;           // for network probes of our own (the listen address)
};

// Runs every check in order. A configuration that does not load is one FAIL and nothing else
// (the other checks need it). `env` is the environment the configuration is read from.
std::vector<DoctorCheck> RunDoctor(const DoctorOptions& options, const config::Env& env);

// "ok  ", "warn", "FAIL".
const char* CheckStatusName(CheckStatus status);
// One line per check, columns aligned.
std::string FormatDoctorText(const std::vector<DoctorCheck>& checks);
// {"ok": bool, "checks": [{"check", "status", "detail"}]} with status "ok"|"warn"|"fail".
std::string FormatDoctorJson(const std::vector<DoctorCheck>& checks);

}  // namespace pm::cli
