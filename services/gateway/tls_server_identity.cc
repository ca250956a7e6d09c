// The JSON face's TLS context and its reload; see tls_server_identity.h.
#include "services/gateway/tls_server_identity.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/key_file_mode.h"
#include "common/server/log.h"
#include "common/status/errors.h"

namespace homeward::gateway {
namespace {

using ::homeward::internal::v1::TlsFiles;

// TLS 1.2 suites: ephemeral ECDH key exchange (forward secrecy) and AEAD
// ciphers only, for ECDSA and RSA certificates alike. TLS 1.3's suites are
// OpenSSL's defaults, all of which qualify.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// Sessions are resumed only within the context that made them; OpenSSL
// fails resumption on a server that verifies clients unless one is set.
constexpr unsigned char kSessionContext[] = "homeward-json-face";

// OpenSSL's first reason on this thread's error queue (the most specific
// one), which is then cleared. Reasons are library and reason names: never
// key material.
std::string OpenSslReason() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "no reason given";
  char text[256];
  ERR_error_string_n(first, text, sizeof(text));
  return text;
}

// Whether OpenSSL's last failure was a key not matching the certificate
// (the error queue is left as it is).
bool KeyMismatch() {
  for (unsigned long e : {ERR_peek_error(), ERR_peek_last_error()}) {
    if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
        ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
      return true;
    }
  }
  return false;
}

// The versions of the certificate, key and CA files (an unset path's is
// not present).
TlsServerIdentity::FilesVersion VersionOf(const TlsFiles& files) {
  return {server::FileVersionOf(files.certificate_file()),
          server::FileVersionOf(files.private_key_file()),
          server::FileVersionOf(files.ca_file())};
}

// An encrypted key would otherwise make OpenSSL prompt on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

// The leaf certificate's serial number (hex) and end of validity, for logs.
std::pair<std::string, std::string> SerialAndExpiry(SSL_CTX* context) {
  X509* leaf = SSL_CTX_get0_certificate(context);
  if (leaf == nullptr) return {"", ""};
  std::string serial;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  std::string not_after;
  if (BIO* out = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(out, X509_get0_notAfter(leaf)) == 1) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(out, &data);
      if (n > 0) not_after.assign(data, static_cast<size_t>(n));
    }
    BIO_free(out);
  }
  return {serial, not_after};
}

// Warns of a certificate clients will refuse (expired or not yet valid):
// it is served all the same, since the operator installed it.
void WarnIfOutOfDate(SSL_CTX* context, const std::string& field) {
  X509* leaf = SSL_CTX_get0_certificate(context);
  if (leaf == nullptr) return;
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0 ||
      X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
    server::Log("warn",
                "the TLS certificate is outside its validity period: clients "
                "will refuse it",
                {{"field", absl::StrCat(field, ".certificate_file")},
                 {"not_after", SerialAndExpiry(context).second}});
  }
}

std::string NotTheKey(const TlsFiles& files) {
  return absl::StrCat("'", files.private_key_file(),
                      "' is not the key of the certificate in '",
                      files.certificate_file(), "'");
}

absl::StatusOr<std::shared_ptr<SSL_CTX>> BuildContext(
    const TlsFiles& files, const std::string& field) {
  const std::string cert_field = absl::StrCat(field, ".certificate_file");
  const std::string key_field = absl::StrCat(field, ".private_key_file");
  const std::string ca_field = absl::StrCat(field, ".ca_file");
  errors::FieldViolations bad;
  if (files.certificate_file().empty()) {
    bad.Add(cert_field,
            "is required: the PEM certificate chain (leaf first) to present");
  }
  absl::Status key_mode =
      auth::CheckKeyFileMode(files.private_key_file(), key_field);
  for (const errors::FieldViolation& v : errors::FieldViolationsOf(key_mode)) {
    bad.Add(v.field, v.description);
  }
  if (!bad.empty()) return bad.ToStatus();

  ERR_clear_error();
  std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_server_method()),
                                   SSL_CTX_free);
  if (context == nullptr) {
    return errors::Internal(
        absl::StrCat("cannot create a TLS context: ", OpenSslReason()));
  }
  SSL_CTX* ctx = context.get();
  // TLS 1.2 and later: SSL 2 is gone from OpenSSL 3, and SSL 3, TLS 1.0 and
  // 1.1 fall below the minimum whatever the system's openssl.cnf says.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_session_id_context(ctx, kSessionContext,
                                     sizeof(kSessionContext) - 1) != 1) {
    return errors::Internal(
        absl::StrCat("cannot configure a TLS context: ", OpenSslReason()));
  }
  // No compression (CRIME), no renegotiation (a client could make the
  // server redo the costly half of a handshake at will).
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_default_passwd_cb(ctx, NoPassphrase);

  bool pair_loaded = true;
  if (SSL_CTX_use_certificate_chain_file(
          ctx, files.certificate_file().c_str()) != 1) {
    bad.Add(cert_field,
            absl::StrCat("cannot use '", files.certificate_file(),
                         "' as a PEM certificate chain (leaf first): ",
                         OpenSslReason()));
    pair_loaded = false;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.private_key_file().c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the key against the certificate already in place.
    if (pair_loaded && KeyMismatch()) {
      ERR_clear_error();
      bad.Add(key_field, NotTheKey(files));
    } else {
      bad.Add(key_field, absl::StrCat("cannot use '", files.private_key_file(),
                                      "' as an unencrypted PEM private key: ",
                                      OpenSslReason()));
    }
  } else if (pair_loaded && SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    bad.Add(key_field, NotTheKey(files));
  }
  if (!files.ca_file().empty()) {
    STACK_OF(X509_NAME)* names =
        SSL_load_client_CA_file(files.ca_file().c_str());
    if (names == nullptr || SSL_CTX_load_verify_locations(
                                ctx, files.ca_file().c_str(), nullptr) != 1) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      bad.Add(ca_field,
              absl::StrCat("cannot use '", files.ca_file(),
                           "' as PEM CA certificates: ", OpenSslReason()));
    } else {
      // The CAs are named in the handshake so that a client with several
      // certificates picks one they signed.
      SSL_CTX_set_client_CA_list(ctx, names);
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         nullptr);
    }
  }
  if (!bad.empty()) return bad.ToStatus();
  return context;
}

}  // namespace

absl::StatusOr<std::shared_ptr<TlsServerIdentity>> TlsServerIdentity::Load(
    const TlsFiles& files, std::string field) {
  // Looked at before reading: a change made while reading is seen next time.
  FilesVersion version = VersionOf(files);
  absl::StatusOr<std::shared_ptr<SSL_CTX>> context = BuildContext(files, field);
  if (!context.ok()) return context.status();
  WarnIfOutOfDate(context->get(), field);
  return std::shared_ptr<TlsServerIdentity>(new TlsServerIdentity(
      files, std::move(field), *std::move(context), version));
}

TlsServerIdentity::TlsServerIdentity(TlsFiles files, std::string field,
                                     std::shared_ptr<ssl_ctx_st> context,
                                     FilesVersion version)
    : files_(std::move(files)),
      field_(std::move(field)),
      loaded_(version),
      current_(std::move(context)) {}

bool TlsServerIdentity::Refresh() {
  const FilesVersion now = VersionOf(files_);
  if (now == loaded_) {
    pending_.reset();
    return false;
  }
  // Changed: wait one more look, so a pair being replaced file by file is
  // read once both are in place.
  if (pending_ != now) {
    pending_ = now;
    return false;
  }
  if (failed_ == now) return false;  // already reported
  absl::StatusOr<std::shared_ptr<SSL_CTX>> next = BuildContext(files_, field_);
  if (!next.ok()) {
    failed_ = now;
    server::Log(
        "error",
        "the TLS files changed but cannot be used: still serving the "
        "previous certificate",
        {{"field", field_}, {"reason", std::string(next.status().message())}});
    return false;
  }
  WarnIfOutOfDate(next->get(), field_);
  const auto [serial, not_after] = SerialAndExpiry(next->get());
  {
    absl::MutexLock lock(&mu_);
    current_ = *std::move(next);
  }
  loaded_ = now;
  pending_.reset();
  failed_.reset();
  server::Log(
      "info", "serving a new TLS certificate",
      {{"field", field_}, {"serial", serial}, {"not_after", not_after}});
  return true;
}

std::shared_ptr<ssl_ctx_st> TlsServerIdentity::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace homeward::gateway
