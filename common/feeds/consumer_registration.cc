// Registering a feed consumer with its producers; see
// consumer_registration.h.
#include "common/feeds/consumer_registration.h"

#include <pthread.h>

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/auth/principal_token.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::feeds {
namespace {

using homeward::v1::ConsumerPosition;
using Stub = homeward::v1::EventFeedService::Stub;

// Logs the first failures in a row and then ever more rarely.
bool WorthLogging(int failures) {
  return failures <= 2 || (failures & (failures - 1)) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConsumerRegistration>>
ConsumerRegistration::Start(Options options) {
  errors::FieldViolations bad;
  if (options.follower == nullptr) bad.Add("follower", "is required");
  if (options.store == nullptr) bad.Add("store", "is required");
  if (options.consumer_name.empty()) {
    bad.Add("consumer_name", "is required: the consumer's cursor name");
  }
  if (options.principal_secret.empty()) {
    bad.Add("principal_secret", "is required to call as a service");
  }
  if (options.interval <= absl::ZeroDuration()) {
    bad.Add("interval", "must be positive");
  }
  RETURN_IF_ERROR(bad.ToStatus());
  std::unique_ptr<ConsumerRegistration> registration(
      new ConsumerRegistration(std::move(options)));
  ConsumerRegistration* raw = registration.get();
  registration->thread_ = std::thread([raw] {
    pthread_setname_np(pthread_self(), "feed-register");
    raw->Loop();
  });
  return registration;
}

ConsumerRegistration::ConsumerRegistration(Options options)
    : options_(std::move(options)) {}

void ConsumerRegistration::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (call_ != nullptr) call_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

uint64_t ConsumerRegistration::reports() const {
  absl::MutexLock lock(&mu_);
  return reports_;
}

uint64_t ConsumerRegistration::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

void ConsumerRegistration::Loop() {
  while (true) {
    ReportAll();
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_;
    };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.interval)) {
      return;
    }
  }
}

grpc::Status ConsumerRegistration::Call(const std::string& address,
                                        const CallStarter& start) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  homeward::internal::v1::Principal principal;
  principal.set_user_id(
      options_.caller_id.empty()
          ? absl::StrCat("feed-follower:", options_.consumer_name)
          : options_.caller_id);
  principal.set_role(homeward::v1::ROLE_SERVICE);
  auth::PrincipalSigner(options_.principal_secret).Attach(principal, &context);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return grpc::Status(grpc::StatusCode::CANCELLED, "stopping");
    call_ = &context;
  }
  absl::Notification done;
  grpc::Status status(grpc::StatusCode::UNAVAILABLE,
                      "the in-process feed producer is not serving");
  auto finish = [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  };
  // The channel and the stub must outlive the call.
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<Stub> stub;
  bool started = false;
  if (auto it = options_.channels.find(address);
      it != options_.channels.end()) {
    // Started while the channel cannot be revoked (producer_channel.h).
    it->second.Use([&](std::shared_ptr<grpc::Channel> in_process) {
      if (in_process == nullptr) return;
      channel = std::move(in_process);
      stub = homeward::v1::EventFeedService::NewStub(channel);
      start(*stub, &context, finish);
      started = true;
    });
  } else {
    std::shared_ptr<grpc::Channel>& dialled = dialled_[address];
    if (dialled == nullptr) {
      dialled = server::DialInternal(address, options_.credentials);
    }
    channel = dialled;
    stub = homeward::v1::EventFeedService::NewStub(channel);
    start(*stub, &context, finish);
    started = true;
  }
  if (started) done.WaitForNotification();
  absl::MutexLock lock(&mu_);
  call_ = nullptr;
  return status;
}

void ConsumerRegistration::ReportAll() {
  // The follower's partitions by the producer replica each comes from.
  std::map<std::string, std::vector<ConsumerPosition>> by_producer;
  for (const PartitionLag& lag : options_.follower->Lag().partitions) {
    ConsumerPosition position;
    position.set_partition(lag.partition);
    position.set_applied_sequence(lag.applied_sequence);
    by_producer[lag.producer].push_back(position);
  }
  // The positions read above are durable once the WAL is synced: a
  // projection commits without a sync of its own (Durability::kOrdered).
  if (absl::Status synced = options_.store->SyncWal(); !synced.ok()) {
    server::Log("warning", "feed consumer position not reported",
                {{"consumer", options_.consumer_name},
                 {"code", absl::StatusCodeToString(synced.code())}});
    return;
  }
  for (const auto& [address, positions] : by_producer) {
    bool& registered = registered_[address];
    grpc::Status status;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (registered) {
        homeward::v1::ReportConsumerPositionsRequest request;
        request.set_consumer(options_.consumer_name);
        *request.mutable_positions() = {positions.begin(), positions.end()};
        homeward::v1::ReportConsumerPositionsResponse response;
        status = Call(address, [&](Stub& stub, grpc::ClientContext* context,
                                   std::function<void(grpc::Status)> done) {
          stub.async()->ReportConsumerPositions(context, &request, &response,
                                                std::move(done));
        });
        // The replica does not know this consumer (any more): register.
        if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          registered = false;
          continue;
        }
      } else {
        homeward::v1::RegisterConsumerRequest request;
        request.set_consumer(options_.consumer_name);
        *request.mutable_positions() = {positions.begin(), positions.end()};
        homeward::v1::RegisterConsumerResponse response;
        status = Call(address, [&](Stub& stub, grpc::ClientContext* context,
                                   std::function<void(grpc::Status)> done) {
          stub.async()->RegisterConsumer(context, &request, &response,
                                         std::move(done));
        });
        if (status.ok()) {
          registered = true;
          server::Log("info", "feed consumer registered",
                      {{"consumer", options_.consumer_name},
                       {"producer", address},
                       {"partitions", absl::StrCat(positions.size())}});
        }
      }
      break;
    }
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (status.ok()) {
      ++reports_;
      failures_in_a_row_ = 0;
      continue;
    }
    ++failures_;
    if (WorthLogging(++failures_in_a_row_)) {
      server::Log(
          "warning", "feed consumer position not reported",
          {{"consumer", options_.consumer_name},
           {"producer", address},
           {"code", absl::StatusCodeToString(
                        static_cast<absl::StatusCode>(status.error_code()))},
           {"attempt", absl::StrCat(failures_in_a_row_)}});
    }
  }
}

}  // namespace homeward::feeds
