// Internal to runtime/state: the backends behind StateStore::Open and
// StoreLock::Acquire, and what they share.
#pragma once

#include <memory>
#include <string>

#include "runtime/state/store.h"

namespace sparkc::runtime {

std::unique_ptr<StateStore> OpenSqlite(const std::string& dir, std::string& error);
std::unique_ptr<StoreLock> AcquireFileLock(const std::string& dir, std::string& holder, std::string& error);
std::unique_ptr<StoreLock> ClaimFileStep(const std::string& dir, const std::string& key, std::string& holder,
                                         std::string& error);

std::unique_ptr<StateStore> OpenPostgres(const std::string& url, std::string& error);
std::unique_ptr<StoreLock> AcquirePostgresLock(const std::string& url, std::string& holder, std::string& error);
std::unique_ptr<StoreLock> ClaimPostgresStep(const std::string& url, const std::string& key, std::string& holder,
                                             std::string& error);

std::string HostName();

// The schema version both backends write (meta.schema).
constexpr int kSchemaVersion = 2;

}  // namespace sparkc::runtime
