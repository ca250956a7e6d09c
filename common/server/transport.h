// How a process secures its gRPC listeners and its dials to other Homeward
// components, from a config's `Transport` (homeward/internal/v1/config.proto):
// TLS 1.2 or later from certificate files that are re-read when they change
// on disk (a renewed certificate is served within seconds, no restart), or
// plaintext when the config says `plaintext: true`. An unset Transport is
// plaintext here, for in-process tests; the binaries refuse a config file
// that leaves it unset (RequireExplicitTransport). See docs/TLS.md.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> listener,
//                    server::ListenerCredentials(config.internal_transport(),
//                                                "internal_transport",
//                                                ClientCertificates::kRequired));
//   builder.AddListeningPort(config.listen_address(), listener, &port);
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> dial,
//                    server::DialCredentials(config.internal_transport(),
//                                            "internal_transport"));
//   auto channel = server::DialInternal("10.0.0.7:7101", dial);
//
// Every error is INVALID_ARGUMENT with one violation per bad field, its path
// under the given field (e.g. "internal_transport.tls.private_key_file").
#ifndef HOMEWARD_COMMON_SERVER_TRANSPORT_H_
#define HOMEWARD_COMMON_SERVER_TRANSPORT_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::server {

// Which clients a TLS listener accepts.
enum class ClientCertificates {
  // Internal listeners: mutual TLS. Every client must present a certificate
  // that chains to tls.ca_file (which is then required); one without is
  // refused during the handshake.
  kRequired,
  // A public face: when tls.ca_file is set, clients must present a
  // certificate it signed; when it is empty, none is asked for.
  kWhenCaFileSet,
};

// How often the certificate, key and CA files are checked for changes.
inline constexpr unsigned int kTlsReloadIntervalSeconds = 1;

// Checks the files of `tls` as the process will use them: each named file
// exists and holds PEM (certificate_file: at least one certificate;
// private_key_file: a key matching the first certificate, mode 0600 or 0400;
// ca_file: at least one certificate), and ca_file is set when `ca_required`.
// `field` is the path of `tls` in the config, e.g. "public_transport.tls".
absl::Status CheckTlsFiles(const homeward::internal::v1::TlsFiles& tls,
                           absl::string_view field, bool ca_required);

// The credentials of a listener secured as `transport` says (at config path
// `field`). Unset or plaintext: insecure credentials. `plaintext: false` is
// refused (say `tls { ... }` or `plaintext: true`).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(
    const homeward::internal::v1::Transport& transport, absl::string_view field,
    ClientCertificates clients);

// The credentials of dials to other components secured as `transport` says:
// with tls, the process presents tls.certificate_file and verifies the
// server's chain against tls.ca_file (required) and its name against the
// host of the dialled address (a DNS name or IP address in the
// certificate's subjectAltName). Unset or plaintext: insecure credentials.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> DialCredentials(
    const homeward::internal::v1::Transport& transport,
    absl::string_view field);

// For a binary's config file: INVALID_ARGUMENT on `field` unless the
// transport is set explicitly (`tls { ... }` or `plaintext: true`).
absl::Status RequireExplicitTransport(
    const homeward::internal::v1::Transport& transport,
    absl::string_view field);

// Whether `address` (host:port) names a loopback host: 127.0.0.0/8, [::1]
// or localhost.
bool IsLoopbackAddress(absl::string_view address);

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_TRANSPORT_H_
