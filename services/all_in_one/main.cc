// homeward-all-in-one: the embedded default. Runs the gateway and every
// service in one process with RocksDB under --data_dir, and prints how to
// call it.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "common/server/shutdown.h"
#include "services/all_in_one/embedded_suite.h"

ABSL_FLAG(std::string, data_dir, "homeward-data",
          "where every service keeps its data");
ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:7000", "public gRPC address");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:7080",
          "public JSON/HTTP address");
ABSL_FLAG(uint32_t, partition_count, 64,
          "partitions of case data; fixed when the data directory is created "
          "(a later start with another value is refused)");
ABSL_FLAG(std::string, api_keys_file, "",
          "ApiKeyFile textproto of the keys the gateway accepts; default "
          "<data_dir>/api_keys.textproto, created with a development key "
          "only when absent (an existing file is never rewritten)");
ABSL_FLAG(std::string, taxonomy_dir, "",
          "taxonomy files (*.textproto) to publish at start (in both "
          "services), e.g. deploy/taxonomy");
ABSL_FLAG(std::string, programmes_dir, "",
          "programme files (*.textproto) to publish at start, e.g. "
          "deploy/programmes; a case must belong to a published programme");
ABSL_FLAG(std::string, instruments_dir, "",
          "instrument definitions (*.textproto) to publish at start, e.g. "
          "deploy/instruments");
ABSL_FLAG(std::string, feasibility_dir, "",
          "feasibility grids (*.textproto) the planning service publishes at "
          "start, e.g. deploy/feasibility");
ABSL_FLAG(std::string, encryption_key_file, "",
          "file of the AES-256 key (64 hex characters, mode 0600) that "
          "encrypts every service's data at rest; empty: not encrypted "
          "(docs/ENCRYPTION.md)");
ABSL_FLAG(std::string, backup_dir, "",
          "directory of scheduled backups of every service's store, one "
          "subdirectory per service (docs/OPERATIONS.md); empty: none");
ABSL_FLAG(uint32_t, backup_interval_seconds, 3600,
          "seconds between the scheduled backups under --backup_dir");
ABSL_FLAG(std::string, tls_certificate_file, "",
          "TLS on both public faces (docs/TLS.md): the PEM certificate chain "
          "to present, re-read when it changes; needs --tls_private_key_file");
ABSL_FLAG(std::string, tls_private_key_file, "",
          "the certificate's PEM private key (mode 0600 or 0400)");
ABSL_FLAG(std::string, tls_ca_file, "",
          "optional: clients must present a certificate this CA signed");
ABSL_FLAG(bool, plaintext_public, false,
          "serve the public faces in plaintext even on a non-loopback "
          "address (behind a TLS-terminating proxy); on loopback they are "
          "plaintext without TLS flags anyway");
ABSL_FLAG(std::string, metrics_listen_address, "",
          "serve Prometheus metrics of every service and the gateway at "
          "http://<address>/metrics (and /healthz), e.g. 127.0.0.1:9100; "
          "empty: none (docs/OPERATIONS.md)");
ABSL_FLAG(bool, log_requests, true,
          "log one line per request (identifiers only)");

int main(int argc, char** argv) {
  homeward::server::BlockTerminationSignals();
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-all-in-one [--data_dir=DIR] [--grpc_listen=HOST:PORT]\n"
      "    [--http_listen=HOST:PORT] [flags]\n\n"
      "Runs the gateway and every Homeward service in one process, with all\n"
      "data under --data_dir, and prints how to call it.");
  absl::ParseCommandLine(argc, argv);
  homeward::server::SetRequestLogging(absl::GetFlag(FLAGS_log_requests));
  homeward::all_in_one::EmbeddedOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.grpc_listen = absl::GetFlag(FLAGS_grpc_listen);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.partition_count = absl::GetFlag(FLAGS_partition_count);
  options.taxonomy_dir = absl::GetFlag(FLAGS_taxonomy_dir);
  options.programmes_dir = absl::GetFlag(FLAGS_programmes_dir);
  options.instruments_dir = absl::GetFlag(FLAGS_instruments_dir);
  options.feasibility_dir = absl::GetFlag(FLAGS_feasibility_dir);
  options.api_keys_file = absl::GetFlag(FLAGS_api_keys_file);
  options.encryption_key_file = absl::GetFlag(FLAGS_encryption_key_file);
  options.metrics_listen_address = absl::GetFlag(FLAGS_metrics_listen_address);

  options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.backup_interval_seconds =
      absl::GetFlag(FLAGS_backup_interval_seconds);
  if (!absl::GetFlag(FLAGS_tls_certificate_file).empty() ||
      !absl::GetFlag(FLAGS_tls_private_key_file).empty() ||
      !absl::GetFlag(FLAGS_tls_ca_file).empty()) {
    if (absl::GetFlag(FLAGS_plaintext_public)) {
      homeward::server::Log("error",
                            "--plaintext_public contradicts the --tls_* flags");
      return 2;
    }
    auto* tls = options.public_transport.mutable_tls();
    tls->set_certificate_file(absl::GetFlag(FLAGS_tls_certificate_file));
    tls->set_private_key_file(absl::GetFlag(FLAGS_tls_private_key_file));
    tls->set_ca_file(absl::GetFlag(FLAGS_tls_ca_file));
  } else if (absl::GetFlag(FLAGS_plaintext_public)) {
    options.public_transport.set_plaintext(true);
  }
  auto suite = homeward::all_in_one::EmbeddedSuite::Start(options);
  if (!suite.ok()) {
    homeward::server::Log("error", "homeward cannot start",
                          {{"error", suite.status().ToString()}});
    return 1;
  }
  homeward::server::Log(
      "info", "homeward all-in-one listening",
      {{"grpc_port", absl::StrCat((*suite)->grpc_port())},
       {"http_port", absl::StrCat((*suite)->http_port())},
       {"metrics_port", absl::StrCat((*suite)->metrics_port())}});
  std::cout << (*suite)->Instructions() << std::flush;
  int sig = homeward::server::WaitForTerminationSignal();
  homeward::server::Log("info", "shutting down",
                        {{"signal", absl::StrCat(sig)}});
  (*suite)->Shutdown(absl::Seconds(10));
  return 0;
}
