// Listener and dial credentials from a config's Transport; see transport.h.
#include "common/server/transport.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/auth/key_file_mode.h"
#include "common/status/errors.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace homeward::server {
namespace {

using homeward::internal::v1::TlsFiles;
using homeward::internal::v1::Transport;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// The file's bytes.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of `pem`, or nullptr.
std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  auto bio = MemoryBio(pem);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

// The content of the file at `path`; sets *ok, or adds the violation of
// `field` saying why it cannot be read.
std::string CheckedRead(const std::string& path, const std::string& field,
                        errors::FieldViolations& bad, bool* ok) {
  *ok = false;
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    bad.Add(field, absl::StrCat("'", path, "' is not an existing file"));
    return "";
  }
  absl::StatusOr<std::string> content = ReadWholeFile(path);
  if (!content.ok()) {
    bad.Add(field, absl::StrCat("'", path, "' cannot be read"));
    return "";
  }
  *ok = true;
  return *std::move(content);
}

void CheckOneTransportField(const Transport& transport, absl::string_view field,
                            errors::FieldViolations& bad) {
  if (transport.has_plaintext() && !transport.plaintext()) {
    bad.Add(absl::StrCat(field, ".plaintext"),
            "must be true when set: say `plaintext: true` for an unencrypted "
            "hop, or set `tls { ... }`");
  }
}

// The gRPC file watcher over the files of `tls` (ca_file may be empty).
std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> Watcher(
    const TlsFiles& tls) {
  return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.private_key_file(), tls.certificate_file(), tls.ca_file(),
      kTlsReloadIntervalSeconds);
}

}  // namespace

absl::Status CheckTlsFiles(const TlsFiles& tls, absl::string_view field,
                           bool ca_required) {
  errors::FieldViolations bad;
  const std::string cert_field = absl::StrCat(field, ".certificate_file");
  const std::string key_field = absl::StrCat(field, ".private_key_file");
  const std::string ca_field = absl::StrCat(field, ".ca_file");

  std::unique_ptr<X509, X509Free> leaf;
  if (tls.certificate_file().empty()) {
    bad.Add(cert_field, "is required: the PEM certificate chain to present");
  } else {
    bool ok;
    const std::string pem =
        CheckedRead(tls.certificate_file(), cert_field, bad, &ok);
    if (ok) {
      leaf = FirstCertificate(pem);
      if (leaf == nullptr) {
        bad.Add(cert_field, absl::StrCat("'", tls.certificate_file(),
                                         "' holds no PEM certificate"));
      }
    }
  }

  if (tls.private_key_file().empty()) {
    bad.Add(key_field, "is required: the PEM private key of the certificate");
  } else {
    bool ok;
    const std::string pem =
        CheckedRead(tls.private_key_file(), key_field, bad, &ok);
    // A key others can read is a key others may have copied.
    if (absl::Status mode =
            auth::CheckKeyFileMode(tls.private_key_file(), key_field);
        ok && !mode.ok()) {
      for (errors::FieldViolation& v : errors::FieldViolationsOf(mode)) {
        bad.Add(std::move(v.field), std::move(v.description));
      }
      ok = false;
    }
    if (ok) {
      auto bio = MemoryBio(pem);
      std::unique_ptr<EVP_PKEY, KeyFree> key(
          PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
      ERR_clear_error();
      if (key == nullptr) {
        bad.Add(key_field,
                absl::StrCat("'", tls.private_key_file(),
                             "' holds no unencrypted PEM private key"));
      } else if (leaf != nullptr &&
                 X509_check_private_key(leaf.get(), key.get()) != 1) {
        ERR_clear_error();
        bad.Add(key_field,
                absl::StrCat("'", tls.private_key_file(),
                             "' is not the key of the first certificate of "
                             "certificate_file"));
      }
    }
  }

  if (tls.ca_file().empty()) {
    if (ca_required) {
      bad.Add(ca_field,
              "is required: the CA certificates the other side's certificate "
              "must chain to (internal hops are mutual TLS)");
    }
  } else {
    bool ok;
    const std::string pem = CheckedRead(tls.ca_file(), ca_field, bad, &ok);
    if (ok && FirstCertificate(pem) == nullptr) {
      bad.Add(ca_field,
              absl::StrCat("'", tls.ca_file(), "' holds no PEM certificate"));
    }
  }
  return bad.ToStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(
    const Transport& transport, absl::string_view field,
    ClientCertificates clients) {
  errors::FieldViolations bad;
  CheckOneTransportField(transport, field, bad);
  if (!bad.empty()) return bad.ToStatus();
  if (!transport.has_tls()) return grpc::InsecureServerCredentials();
  const TlsFiles& tls = transport.tls();
  const bool ca_required = clients == ClientCertificates::kRequired;
  absl::Status files =
      CheckTlsFiles(tls, absl::StrCat(field, ".tls"), ca_required);
  if (!files.ok()) return files;

  grpc::experimental::TlsServerCredentialsOptions options(Watcher(tls));
  options.watch_identity_key_cert_pairs();
  if (tls.ca_file().empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    // The handshake fails for a client without a certificate chaining to
    // ca_file; such a client sees UNAVAILABLE.
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  // gRPC's TLS credentials negotiate TLS 1.2 or 1.3 only (its default range).
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> DialCredentials(
    const Transport& transport, absl::string_view field) {
  errors::FieldViolations bad;
  CheckOneTransportField(transport, field, bad);
  if (!bad.empty()) return bad.ToStatus();
  if (!transport.has_tls()) return grpc::InsecureChannelCredentials();
  const TlsFiles& tls = transport.tls();
  absl::Status files =
      CheckTlsFiles(tls, absl::StrCat(field, ".tls"), /*ca_required=*/true);
  if (!files.ok()) return files;

  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(Watcher(tls));
  options.watch_identity_key_cert_pairs();
  options.watch_root_certs();
  options.set_verify_server_certs(true);
  // The chain is verified against ca_file during the handshake; this also
  // checks that the certificate names the dialled host, so a certificate
  // of the deployment's CA issued for another component is not enough.
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::experimental::TlsCredentials(options);
  if (credentials == nullptr) {
    return errors::InvalidField(absl::StrCat(field, ".tls"),
                                "gRPC refused these TLS settings");
  }
  return credentials;
}

absl::Status RequireExplicitTransport(const Transport& transport,
                                      absl::string_view field) {
  if (transport.security_case() == Transport::SECURITY_NOT_SET) {
    return errors::InvalidField(
        field,
        "is required: set `tls { certificate_file: ... private_key_file: ... "
        "ca_file: ... }`, or `plaintext: true` to run this hop unencrypted "
        "(docs/TLS.md)");
  }
  if (transport.has_plaintext() && !transport.plaintext()) {
    return errors::InvalidField(
        absl::StrCat(field, ".plaintext"),
        "must be true when set: say `plaintext: true` for an unencrypted hop, "
        "or set `tls { ... }`");
  }
  return absl::OkStatus();
}

bool IsLoopbackAddress(absl::string_view address) {
  absl::string_view host = address;
  if (absl::ConsumePrefix(&host, "[")) {
    const size_t end = host.find(']');
    if (end == absl::string_view::npos) return false;
    return host.substr(0, end) == "::1";
  }
  const size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos) host = host.substr(0, colon);
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view octet : octets) {
    int value;
    if (!absl::SimpleAtoi(octet, &value) || value < 0 || value > 255) {
      return false;
    }
  }
  return true;
}

}  // namespace homeward::server
