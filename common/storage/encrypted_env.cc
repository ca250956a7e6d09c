// AES-256-CTR files for RocksDB; see encrypted_env.h.
//
// RocksDB 7.8 ships the encrypted file system (NewEncryptedFS) and a CTR
// provider that takes a BlockCipher, but that provider draws each file's
// counter and IV from a PRNG seeded with the current microsecond (31 bits):
// two files created with the same seed would share a keystream, and the XOR
// of their ciphertexts would be the XOR of their plaintexts. Over a
// database's life (WAL files, flushes, compactions) that is likely enough to
// matter, so this file has its own provider: OpenSSL's RAND_bytes picks each
// file's 128-bit initial counter, and OpenSSL's AES-256-CTR encrypts whole
// ranges at once.
#include "common/storage/encrypted_env.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "rocksdb/env_encryption.h"
#include "rocksdb/file_system.h"

namespace homeward::storage {
namespace {

// The header: tag (16), format version (1), reserved (7), key id (8),
// initial counter block (16), zeros to kEncryptedFileHeaderBytes.
constexpr absl::string_view kTag = "HOMEWARD-AES-CTR";
constexpr char kFormatVersion = 1;
constexpr size_t kVersionAt = 16;
constexpr size_t kKeyIdAt = 24;
constexpr size_t kKeyIdBytes = 8;
constexpr size_t kCounterAt = 32;
constexpr size_t kAesBlock = 16;
constexpr size_t kHeaderUsed = kCounterAt + kAesBlock;
static_assert(kHeaderUsed <= kEncryptedFileHeaderBytes);

const EVP_CIPHER* Aes256Ctr() {
  // Fetched once: an implicit fetch on every init would search OpenSSL's
  // provider tables for each read and write.
  static EVP_CIPHER* const cipher =
      EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr);
  return cipher;
}

// One cipher context per thread: RocksDB reads one file from many threads
// at once, and a context is not safe to share.
EVP_CIPHER_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>
      context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  return context.get();
}

// The counter block of the AES block `index` blocks after `initial`: a
// 128-bit big-endian addition, as OpenSSL's CTR mode increments it.
void CounterAt(const unsigned char* initial, uint64_t index,
               unsigned char* out) {
  std::memcpy(out, initial, kAesBlock);
  unsigned int carry = 0;
  for (int i = kAesBlock - 1; i >= 0; --i) {
    const unsigned int sum = out[i] + (index & 0xff) + carry;
    out[i] = static_cast<unsigned char>(sum);
    carry = sum >> 8;
    index >>= 8;
    if (index == 0 && carry == 0) break;
  }
}

// The keystream of one file: AES-256-CTR from the header's initial counter.
class AesCtrStream : public rocksdb::BlockAccessCipherStream {
 public:
  AesCtrStream(std::shared_ptr<const EncryptionKey> key,
               const unsigned char* initial_counter)
      : key_(std::move(key)) {
    std::memcpy(initial_counter_, initial_counter, kAesBlock);
  }

  size_t BlockSize() override { return kAesBlock; }

  // CTR encrypts and decrypts alike; whole ranges go to OpenSSL at once
  // instead of block by block through EncryptBlock.
  rocksdb::Status Encrypt(uint64_t offset, char* data, size_t size) override {
    return Apply(offset, data, size);
  }
  rocksdb::Status Decrypt(uint64_t offset, char* data, size_t size) override {
    return Apply(offset, data, size);
  }

 protected:
  void AllocateScratch(std::string&) override {}
  rocksdb::Status EncryptBlock(uint64_t index, char* data, char*) override {
    return Apply(index * kAesBlock, data, kAesBlock);
  }
  rocksdb::Status DecryptBlock(uint64_t index, char* data, char*) override {
    return Apply(index * kAesBlock, data, kAesBlock);
  }

 private:
  rocksdb::Status Apply(uint64_t offset, char* data, size_t size) {
    if (size == 0) return rocksdb::Status::OK();
    EVP_CIPHER_CTX* context = ThreadContext();
    unsigned char counter[kAesBlock];
    CounterAt(initial_counter_, offset / kAesBlock, counter);
    const auto* key =
        reinterpret_cast<const unsigned char*>(key_->bytes().data());
    if (context == nullptr || Aes256Ctr() == nullptr ||
        EVP_EncryptInit_ex(context, Aes256Ctr(), nullptr, key, counter) != 1) {
      return rocksdb::Status::IOError("AES-256-CTR cannot be initialised");
    }
    int written = 0;
    // Starting inside a block: skip the keystream bytes before `offset`.
    if (const int skip = static_cast<int>(offset % kAesBlock); skip > 0) {
      unsigned char junk[kAesBlock] = {};
      if (EVP_EncryptUpdate(context, junk, &written, junk, skip) != 1) {
        return rocksdb::Status::IOError("AES-256-CTR failed");
      }
    }
    auto* bytes = reinterpret_cast<unsigned char*>(data);
    while (size > 0) {
      const int chunk = static_cast<int>(std::min<size_t>(size, INT_MAX / 2));
      // CTR may work in place.
      if (EVP_EncryptUpdate(context, bytes, &written, bytes, chunk) != 1 ||
          written != chunk) {
        return rocksdb::Status::IOError("AES-256-CTR failed");
      }
      bytes += chunk;
      size -= chunk;
    }
    return rocksdb::Status::OK();
  }

  std::shared_ptr<const EncryptionKey> key_;
  unsigned char initial_counter_[kAesBlock];
};

class AesCtrProvider : public rocksdb::EncryptionProvider {
 public:
  explicit AesCtrProvider(const EncryptionKey& key)
      : key_(std::make_shared<const EncryptionKey>(key)),
        key_id_(absl::HexStringToBytes(key.id())) {}

  const char* Name() const override { return "HomewardAes256Ctr"; }

  size_t GetPrefixLength() const override { return kEncryptedFileHeaderBytes; }

  rocksdb::Status CreateNewPrefix(const std::string& /*fname*/, char* prefix,
                                  size_t length) const override {
    if (length < kHeaderUsed) {
      return rocksdb::Status::InvalidArgument("encryption header too short");
    }
    std::memset(prefix, 0, length);
    std::memcpy(prefix, kTag.data(), kTag.size());
    prefix[kVersionAt] = kFormatVersion;
    std::memcpy(prefix + kKeyIdAt, key_id_.data(), kKeyIdBytes);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(prefix + kCounterAt),
                   kAesBlock) != 1) {
      return rocksdb::Status::IOError("no randomness for a file's counter");
    }
    return rocksdb::Status::OK();
  }

  rocksdb::Status AddCipher(const std::string&, const char*, size_t,
                            bool) override {
    return rocksdb::Status::NotSupported(
        "the key is fixed when the environment is made");
  }

  rocksdb::Status CreateCipherStream(
      const std::string& fname, const rocksdb::EnvOptions&,
      rocksdb::Slice& prefix,
      std::unique_ptr<rocksdb::BlockAccessCipherStream>* result) override {
    const absl::string_view header(prefix.data(), prefix.size());
    if (header.size() < kHeaderUsed || header.substr(0, kTag.size()) != kTag ||
        header[kVersionAt] != kFormatVersion) {
      return rocksdb::Status::Corruption(
          fname, "is not encrypted in this format (a plaintext file?)");
    }
    if (header.substr(kKeyIdAt, kKeyIdBytes) != key_id_) {
      return rocksdb::Status::InvalidArgument(
          fname, absl::StrCat("was encrypted with key id ",
                              absl::BytesToHexString(
                                  header.substr(kKeyIdAt, kKeyIdBytes)),
                              "; the configured key has id ", key_->id()));
    }
    *result = std::make_unique<AesCtrStream>(
        key_,
        reinterpret_cast<const unsigned char*>(prefix.data() + kCounterAt));
    return rocksdb::Status::OK();
  }

 private:
  std::shared_ptr<const EncryptionKey> key_;
  std::string key_id_;  // 8 raw bytes
};

// RocksDB 7.8's FileSystemWrapper hands the info log to the base file
// system, which would write the LOG in plaintext beside encrypted files;
// FileSystem's own NewLogger makes it through this file system's
// NewWritableFile, encrypted like the rest.
class EncryptedLogFileSystem : public rocksdb::FileSystemWrapper {
 public:
  using rocksdb::FileSystemWrapper::FileSystemWrapper;
  const char* Name() const override { return "HomewardEncryptedFileSystem"; }
  rocksdb::IOStatus NewLogger(const std::string& fname,
                              const rocksdb::IOOptions& options,
                              std::shared_ptr<rocksdb::Logger>* result,
                              rocksdb::IODebugContext* dbg) override {
    return rocksdb::FileSystem::NewLogger(fname, options, result, dbg);
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<rocksdb::Env>> NewEncryptedEnv(
    const EncryptionKey& key) {
  if (Aes256Ctr() == nullptr) {
    return errors::Internal("OpenSSL offers no AES-256-CTR");
  }
  std::shared_ptr<rocksdb::FileSystem> encrypted = rocksdb::NewEncryptedFS(
      rocksdb::FileSystem::Default(), std::make_shared<AesCtrProvider>(key));
  if (encrypted == nullptr) {
    return errors::Internal("RocksDB refused the encrypted file system");
  }
  return rocksdb::NewCompositeEnv(
      std::make_shared<EncryptedLogFileSystem>(std::move(encrypted)));
}

absl::StatusOr<DataDirEncryption> InspectDataDir(const std::string& path) {
  DataDirEncryption result;
  std::ifstream current(path + "/CURRENT", std::ios::binary);
  if (!current) return result;  // no database yet
  std::string header(kHeaderUsed, '\0');
  current.read(header.data(), static_cast<std::streamsize>(header.size()));
  header.resize(static_cast<size_t>(current.gcount()));
  if (header.size() < kHeaderUsed ||
      absl::string_view(header).substr(0, kTag.size()) != kTag) {
    result.state = DataDirEncryption::State::kPlaintext;
    return result;
  }
  if (header[kVersionAt] != kFormatVersion) {
    return errors::FailedPrecondition(
        "DATA_DIR_ENCRYPTION", path,
        absl::StrCat("data dir '", path,
                     "' is encrypted in an unknown format version ",
                     static_cast<int>(header[kVersionAt])));
  }
  result.state = DataDirEncryption::State::kEncrypted;
  result.key_id = absl::BytesToHexString(
      absl::string_view(header).substr(kKeyIdAt, kKeyIdBytes));
  return result;
}

absl::Status CheckDataDirKey(const std::string& path,
                             const EncryptionKey* key) {
  using State = DataDirEncryption::State;
  absl::StatusOr<DataDirEncryption> found = InspectDataDir(path);
  if (!found.ok()) return found.status();
  auto refuse = [&](std::string description) {
    return errors::FailedPrecondition("DATA_DIR_ENCRYPTION", path, description);
  };
  switch (found->state) {
    case State::kNew:
      return absl::OkStatus();
    case State::kPlaintext:
      if (key == nullptr) return absl::OkStatus();
      return refuse(absl::StrCat(
          "data dir '", path, "' is not encrypted, but ",
          EncryptionKey::kConfigField, " names a key (id ", key->id(),
          "): remove the setting, or move the data into a new data dir "
          "under the key (docs/ENCRYPTION.md)"));
    case State::kEncrypted:
      if (key == nullptr) {
        return refuse(absl::StrCat(
            "data dir '", path, "' was encrypted with key id ", found->key_id,
            "; no key is configured: set ", EncryptionKey::kConfigField,
            " to the file of that key"));
      }
      if (key->id() != found->key_id) {
        return refuse(absl::StrCat(
            "data dir '", path, "' was encrypted with key id ", found->key_id,
            "; the configured key has id ", key->id(), " (",
            EncryptionKey::kConfigField, " names the wrong key file)"));
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace homeward::storage
