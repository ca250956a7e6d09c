// The JSON face's TLS identity: an OpenSSL server context built from the
// files of a TlsFiles (certificate chain, private key, optional client CA)
// and rebuilt when they change on disk, so that a renewed certificate is
// served to new connections without a restart.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<TlsServerIdentity> tls,
//                    TlsServerIdentity::Load(transport.tls(),
//                                            "public_transport.tls"));
//   options.tls = tls;  // HttpServer serves HTTPS and calls Refresh()
//
// Every context allows TLS 1.2 and 1.3 only (SSL 2 and 3, TLS 1.0 and 1.1 are
// refused at the handshake) and, for TLS 1.2, only forward-secret AEAD
// suites (ECDHE with AES-GCM or ChaCha20-Poly1305); no compression, no
// renegotiation. With ca_file set, a client must present a certificate that
// chains to one of its CAs, or the handshake fails.
//
// Reload: Refresh() compares the files' status (inode, size, modification
// and change times) with that of the files the current context was built
// from. A change is taken once the files have stayed the same for one more
// Refresh, so that a certificate and key replaced one after the other are
// read as a pair. A new pair that fails (a file missing or unparseable, a key
// that does not match the certificate, a key file readable by others) is
// logged once, naming the file and OpenSSL's reason but never key material,
// and the current context keeps serving. A connection keeps the context it
// began with (OpenSSL counts the references), so a swap never disturbs the
// connections already open.
#ifndef HOMEWARD_SERVICES_GATEWAY_TLS_SERVER_IDENTITY_H_
#define HOMEWARD_SERVICES_GATEWAY_TLS_SERVER_IDENTITY_H_

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/server/file_version.h"
#include "homeward/internal/v1/config.pb.h"

// OpenSSL's SSL_CTX, declared here so that this header needs no OpenSSL
// include.
struct ssl_ctx_st;

namespace homeward::gateway {

class TlsServerIdentity {
 public:
  // The versions of the certificate, key and CA files, in that order.
  using FilesVersion = std::array<server::FileVersion, 3>;

  // Builds the first context from `files`. INVALID_ARGUMENT with a violation
  // of "<field>.certificate_file", "<field>.private_key_file" or
  // "<field>.ca_file" for each file that is missing, unparseable or (the
  // key) readable by group or others, or whose key does not match the
  // certificate.
  static absl::StatusOr<std::shared_ptr<TlsServerIdentity>> Load(
      const homeward::internal::v1::TlsFiles& files, std::string field);

  // Takes the files' new contents when they changed and then stayed the same
  // since the previous call; true when it did. Call it periodically (the
  // HTTP server does, every second); calls must not overlap.
  bool Refresh();

  // The context new connections are made with (SSL_new).
  std::shared_ptr<ssl_ctx_st> Current() const;

  // Whether clients must present a certificate (ca_file is set).
  bool requires_client_certificate() const { return !files_.ca_file().empty(); }

 private:
  TlsServerIdentity(homeward::internal::v1::TlsFiles files, std::string field,
                    std::shared_ptr<ssl_ctx_st> context, FilesVersion version);

  const homeward::internal::v1::TlsFiles files_;
  const std::string field_;
  // The files' versions when the current context was read, when a change
  // was last seen, and when a new pair last failed.
  FilesVersion loaded_;
  std::optional<FilesVersion> pending_;
  std::optional<FilesVersion> failed_;

  mutable absl::Mutex mu_;
  std::shared_ptr<ssl_ctx_st> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_TLS_SERVER_IDENTITY_H_
