// Encryption at rest of a RocksDB data directory: an Env whose files are
// AES-256-CTR encrypted with OpenSSL under an EncryptionKey, and the check
// that refuses to open a directory written under another key (or none).
//
// Every file RocksDB writes through the Env (SST, WAL, MANIFEST, CURRENT,
// OPTIONS, IDENTITY and the info LOG) starts with a 4 KiB plaintext header:
// a format tag, the key id and a random 128-bit initial counter, so that no
// two files share a keystream; the rest is the content, encrypted. The
// header's key id lets CheckDataDirKey name the key a directory needs.
//
//   RETURN_IF_ERROR(CheckDataDirKey(path, &key));
//   ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::Env> env,
//                    NewEncryptedEnv(key));
//   db_options.env = env.get();  // env must outlive the DB
//
// A BackupEngine must be given this Env as its backup_env too: with
// Env::Default() it would write the backup's files in plaintext.
#ifndef HOMEWARD_COMMON_STORAGE_ENCRYPTED_ENV_H_
#define HOMEWARD_COMMON_STORAGE_ENCRYPTED_ENV_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/storage/encryption_key.h"
#include "rocksdb/env.h"

namespace homeward::storage {

// Size of the plaintext header before every encrypted file's content.
inline constexpr size_t kEncryptedFileHeaderBytes = 4096;

// An Env over the default one whose files are encrypted under `key`.
absl::StatusOr<std::unique_ptr<rocksdb::Env>> NewEncryptedEnv(
    const EncryptionKey& key);

// What a RocksDB directory holds, read from its CURRENT file's first bytes.
struct DataDirEncryption {
  enum class State {
    kNew,        // no database yet (no CURRENT file)
    kPlaintext,  // written without a key
    kEncrypted,  // written under the key with id `key_id`
  };
  State state = State::kNew;
  std::string key_id;
};
absl::StatusOr<DataDirEncryption> InspectDataDir(const std::string& path);

// OK when the RocksDB directory at `path` is new or was written under `key`
// (nullptr: without a key). Otherwise FAILED_PRECONDITION saying which key
// the directory needs ("data dir ... was encrypted with key id X; the
// configured key has id Y"), so that a wrong key never surfaces as RocksDB
// "corruption".
absl::Status CheckDataDirKey(const std::string& path, const EncryptionKey* key);

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_ENCRYPTED_ENV_H_
