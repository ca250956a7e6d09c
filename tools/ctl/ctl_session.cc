#include "tools/ctl/ctl_session.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/server/server_kit.h"
#include "common/server/transport.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/partitions.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/ctl/output.h"
#include "tools/ctl/progress_bar.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using homeward::internal::v1::GatewayConfig;
using homeward::internal::v1::Principal;
using homeward::internal::v1::RouteMap;
using homeward::internal::v1::Transport;

// The whole of a small file (a key, a token, a certificate).
absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                          absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return UsageError(flag,
                      absl::StrCat("'", path, "' is not a readable file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string OsUser() {
  if (const passwd* entry = getpwuid(geteuid()); entry != nullptr) {
    return entry->pw_name;
  }
  return absl::StrCat("uid-", geteuid());
}

void SetDeadline(grpc::ClientContext& context, absl::Duration deadline) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CtlSession>> CtlSession::Create(
    CtlOptions options, std::ostream& out, FILE* progress) {
  if (!options.api_key_file.empty() && !options.token_file.empty()) {
    return UsageError("--token_file",
                      "give either --api_key_file or --token_file, not both");
  }
  if (!options.gateway_config.empty() && !options.routes_file.empty()) {
    return UsageError(
        "--routes_file",
        "give either --gateway_config or --routes_file, not both");
  }
  if (options.plaintext &&
      !(options.tls_ca_file.empty() && options.tls_certificate_file.empty() &&
        options.tls_private_key_file.empty())) {
    return UsageError("--plaintext",
                      "cannot be combined with the --tls_* files");
  }
  std::unique_ptr<CtlSession> session(
      new CtlSession(std::move(options), out, progress));
  const CtlOptions& o = session->options_;
  session->partition_count_ = o.partition_count != 0
                                  ? o.partition_count
                                  : storage::kDefaultPartitionCount;
  if (!o.gateway_config.empty()) {
    GatewayConfig config;
    RETURN_IF_ERROR(server::ParseTextProtoFile(o.gateway_config, &config));
    if (config.partition_count() != 0) {
      session->partition_count_ = config.partition_count();
    }
    if (!config.routes_file().empty()) {
      session->routes_path_ = config.routes_file();
      RETURN_IF_ERROR(
          server::ParseTextProtoFile(session->routes_path_, &session->routes_));
    } else {
      *session->routes_.mutable_routes() = config.routes();
    }
  } else if (!o.routes_file.empty()) {
    session->routes_path_ = o.routes_file;
    RETURN_IF_ERROR(
        server::ParseTextProtoFile(o.routes_file, &session->routes_));
  }
  return session;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
CtlSession::ReplicaCredentials() {
  if (options_.plaintext) return nullptr;  // DialInternal: plaintext
  if (options_.tls_ca_file.empty()) {
    return UsageError("--tls_ca_file",
                      "is required to reach the replicas over mutual TLS (with "
                      "--tls_certificate_file and --tls_private_key_file), "
                      "or say --plaintext");
  }
  Transport transport;
  auto* tls = transport.mutable_tls();
  tls->set_ca_file(options_.tls_ca_file);
  tls->set_certificate_file(options_.tls_certificate_file);
  tls->set_private_key_file(options_.tls_private_key_file);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      server::DialCredentials(transport, "flags");
  if (!credentials.ok()) {
    // "flags.tls.ca_file: ..." names the file; the flag is --tls_ca_file.
    return UsageError("--tls_*", credentials.status().message());
  }
  return *credentials;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CtlSession::DialReplica(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  if (auto it = replicas_.find(address); it != replicas_.end()) {
    return it->second;
  }
  if (replica_credentials_ == nullptr && !options_.plaintext) {
    ASSIGN_OR_RETURN(replica_credentials_, ReplicaCredentials());
  }
  std::shared_ptr<grpc::Channel> channel =
      server::DialInternal(address, replica_credentials_);
  replicas_.emplace(address, channel);
  return channel;
}

absl::Status CtlSession::PrepareReplicaCall(grpc::ClientContext& context,
                                            absl::Duration deadline) {
  absl::MutexLock lock(&mu_);
  if (!secret_.has_value()) {
    if (options_.principal_secret_file.empty()) {
      return UsageError("--principal_secret_file",
                        "is required for calls to the replicas: the "
                        "deployment secret that signs principals");
    }
    absl::StatusOr<std::string> secret =
        auth::ReadSecretFile(options_.principal_secret_file);
    if (!secret.ok()) {
      return UsageError("--principal_secret_file", secret.status().message());
    }
    secret_ = *std::move(secret);
  }
  Principal principal;
  principal.set_user_id(options_.user.empty() ? OsUser() : options_.user);
  principal.set_role(homeward::v1::ROLE_ADMINISTRATOR);
  auth::PrincipalSigner(*secret_).Attach(principal, &context);
  SetDeadline(context, deadline);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CtlSession::DialGateway() {
  absl::MutexLock lock(&mu_);
  if (gateway_ != nullptr) return gateway_;
  if (options_.gateway.empty()) {
    return UsageError("--gateway",
                      "is required: host:port of the gateway's gRPC face");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options_.plaintext) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    // The public face's certificate is checked against --tls_ca_file, or
    // the system's roots without it; the client certificate is presented
    // when given (a gateway whose public face sets ca_file asks for one).
    grpc::SslCredentialsOptions ssl;
    if (!options_.tls_ca_file.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_root_certs,
                       ReadWholeFile(options_.tls_ca_file, "--tls_ca_file"));
    }
    if (!options_.tls_certificate_file.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                       ReadWholeFile(options_.tls_certificate_file,
                                     "--tls_certificate_file"));
      ASSIGN_OR_RETURN(ssl.pem_private_key,
                       ReadWholeFile(options_.tls_private_key_file,
                                     "--tls_private_key_file"));
    }
    credentials = grpc::SslCredentials(ssl);
  }
  gateway_ = grpc::CreateChannel(options_.gateway, credentials);
  return gateway_;
}

absl::Status CtlSession::PrepareGatewayCall(grpc::ClientContext& context,
                                            absl::Duration deadline) {
  absl::MutexLock lock(&mu_);
  if (!bearer_.has_value()) {
    const bool key = !options_.api_key_file.empty();
    if (!key && options_.token_file.empty()) {
      return UsageError("--api_key_file",
                        "is required for calls through the gateway (or "
                        "--token_file with a bearer token)");
    }
    ASSIGN_OR_RETURN(
        std::string text,
        key ? ReadWholeFile(options_.api_key_file, "--api_key_file")
            : ReadWholeFile(options_.token_file, "--token_file"));
    std::string credential(absl::StripAsciiWhitespace(text));
    if (credential.empty()) {
      return UsageError(key ? "--api_key_file" : "--token_file",
                        "names an empty file");
    }
    bearer_ = std::move(credential);
  }
  // The header the gateway reads an API key or a token from alike
  // (services/gateway/caller_authenticator.h).
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *bearer_));
  SetDeadline(context, deadline);
  return absl::OkStatus();
}

void CtlSession::Print(const Table& table) {
  out_ << (options_.output == OutputFormat::kJson ? FormatJson(table)
                                                  : FormatTable(table));
  out_.flush();
}

void CtlSession::PrintMessage(const google::protobuf::Message& message) {
  out_ << FormatMessageJson(message);
  out_.flush();
}

std::unique_ptr<Progress> CtlSession::StartProgress(const std::string& label,
                                                    uint64_t total) {
  if (progress_ == nullptr || options_.output == OutputFormat::kJson ||
      !isatty(fileno(progress_))) {
    return std::make_unique<NoProgress>();
  }
  return std::make_unique<TerminalProgressBar>(progress_, label, total);
}

}  // namespace homeward::ctl
