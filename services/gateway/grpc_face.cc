// Public gRPC face; see grpc_face.h.
#include "services/gateway/grpc_face.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;
using Context = grpc::CallbackServerContext;
using Reactor = grpc::ServerUnaryReactor;

std::optional<absl::string_view> Metadata(const Context& context,
                                          absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

absl::Time ClientDeadline(const Context& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// The generated services need one override per method; each only names the
// method for the shared path. Everything else about a method is in the
// method table.

class CaseService final : public v1::CaseService::CallbackService {
 public:
  explicit CaseService(const GrpcCalls* calls) : calls_(calls) {}
  Reactor* RegisterCase(Context* c, const v1::RegisterCaseRequest* q,
                        v1::Case* r) override {
    return calls_->Serve(c, "homeward.v1.CaseService/RegisterCase", q, r);
  }
  Reactor* GetCase(Context* c, const v1::GetCaseRequest* q,
                   v1::Case* r) override {
    return calls_->Serve(c, "homeward.v1.CaseService/GetCase", q, r);
  }
  Reactor* ListCases(Context* c, const v1::ListCasesRequest* q,
                     v1::ListCasesResponse* r) override {
    return calls_->Serve(c, "homeward.v1.CaseService/ListCases", q, r);
  }
  Reactor* UpdateCase(Context* c, const v1::UpdateCaseRequest* q,
                      v1::Case* r) override {
    return calls_->Serve(c, "homeward.v1.CaseService/UpdateCase", q, r);
  }
  Reactor* AssignCase(Context* c, const v1::AssignCaseRequest* q,
                      v1::Case* r) override {
    return calls_->Serve(c, "homeward.v1.CaseService/AssignCase", q, r);
  }

 private:
  const GrpcCalls* calls_;
};

class InstrumentService final : public v1::InstrumentService::CallbackService {
 public:
  explicit InstrumentService(const GrpcCalls* calls) : calls_(calls) {}
  Reactor* PublishInstrument(Context* c, const v1::PublishInstrumentRequest* q,
                             v1::InstrumentDefinition* r) override {
    return calls_->Serve(c, "homeward.v1.InstrumentService/PublishInstrument",
                         q, r);
  }
  Reactor* GetInstrument(Context* c, const v1::GetInstrumentRequest* q,
                         v1::InstrumentDefinition* r) override {
    return calls_->Serve(c, "homeward.v1.InstrumentService/GetInstrument", q,
                         r);
  }
  Reactor* ListInstruments(Context* c, const v1::ListInstrumentsRequest* q,
                           v1::ListInstrumentsResponse* r) override {
    return calls_->Serve(c, "homeward.v1.InstrumentService/ListInstruments", q,
                         r);
  }

 private:
  const GrpcCalls* calls_;
};

class AssessmentService final : public v1::AssessmentService::CallbackService {
 public:
  explicit AssessmentService(const GrpcCalls* calls) : calls_(calls) {}
  Reactor* SubmitAssessment(Context* c, const v1::SubmitAssessmentRequest* q,
                            v1::Assessment* r) override {
    return calls_->Serve(c, "homeward.v1.AssessmentService/SubmitAssessment", q,
                         r);
  }
  Reactor* GetAssessment(Context* c, const v1::GetAssessmentRequest* q,
                         v1::Assessment* r) override {
    return calls_->Serve(c, "homeward.v1.AssessmentService/GetAssessment", q,
                         r);
  }
  Reactor* ListAssessments(Context* c, const v1::ListAssessmentsRequest* q,
                           v1::ListAssessmentsResponse* r) override {
    return calls_->Serve(c, "homeward.v1.AssessmentService/ListAssessments", q,
                         r);
  }
  Reactor* CompareAssessments(Context* c,
                              const v1::CompareAssessmentsRequest* q,
                              v1::AssessmentComparison* r) override {
    return calls_->Serve(c, "homeward.v1.AssessmentService/CompareAssessments",
                         q, r);
  }
  Reactor* ListNeeds(Context* c, const v1::ListNeedsRequest* q,
                     v1::ListNeedsResponse* r) override {
    return calls_->Serve(c, "homeward.v1.AssessmentService/ListNeeds", q, r);
  }

 private:
  const GrpcCalls* calls_;
};

class CounsellingService final
    : public v1::CounsellingService::CallbackService {
 public:
  explicit CounsellingService(const GrpcCalls* calls) : calls_(calls) {}
  Reactor* RecordCounsellingSession(
      Context* c, const v1::RecordCounsellingSessionRequest* q,
      v1::CounsellingSession* r) override {
    return calls_->Serve(
        c, "homeward.v1.CounsellingService/RecordCounsellingSession", q, r);
  }
  Reactor* ListCounsellingSessions(
      Context* c, const v1::ListCounsellingSessionsRequest* q,
      v1::ListCounsellingSessionsResponse* r) override {
    return calls_->Serve(
        c, "homeward.v1.CounsellingService/ListCounsellingSessions", q, r);
  }

 private:
  const GrpcCalls* calls_;
};

class ConsentService final : public v1::ConsentService::CallbackService {
 public:
  explicit ConsentService(const GrpcCalls* calls) : calls_(calls) {}
  Reactor* RecordConsent(Context* c, const v1::RecordConsentRequest* q,
                         v1::ConsentRecord* r) override {
    return calls_->Serve(c, "homeward.v1.ConsentService/RecordConsent", q, r);
  }
  Reactor* ListConsents(Context* c, const v1::ListConsentsRequest* q,
                        v1::ListConsentsResponse* r) override {
    return calls_->Serve(c, "homeward.v1.ConsentService/ListConsents", q, r);
  }
  Reactor* CheckConsent(Context* c, const v1::CheckConsentRequest* q,
                        v1::CheckConsentResponse* r) override {
    return calls_->Serve(c, "homeward.v1.ConsentService/CheckConsent", q, r);
  }

 private:
  const GrpcCalls* calls_;
};

}  // namespace

Reactor* GrpcCalls::Serve(Context* context, absl::string_view method,
                          const google::protobuf::Message* request,
                          google::protobuf::Message* response) const {
  const absl::Time start = absl::Now();
  Reactor* reactor = context->DefaultReactor();
  CallInfo call;
  call.request_id = RequestIdOrNew(Metadata(*context, auth::kRequestIdKey));
  call.client_deadline = ClientDeadline(*context);
  // Echo the request id so that a client can quote it when reporting a
  // problem, whether or not it chose the id itself.
  context->AddInitialMetadata(auth::kRequestIdKey, call.request_id);
  auto finish = [reactor, method, request_id = call.request_id, start](
                    const std::string& key_id, const absl::Status& status) {
    LogPublicCall("grpc", method, request_id, key_id, status, start);
    reactor->Finish(ToGrpcStatus(status));
  };

  // An override naming a method the table lacks, or another method's, is a
  // gateway bug; MethodTable::Create makes sure every method has a route.
  const MethodRoute* route = forwarder_->methods().Find(method);
  if (route == nullptr ||
      route->request_prototype->GetDescriptor() != request->GetDescriptor()) {
    finish("", errors::Internal(
                   absl::StrCat("the gateway has no route for ", method)));
    return reactor;
  }
  absl::StatusOr<AuthenticatedCaller> caller =
      keys_->AuthenticateHeaders(Metadata(*context, kAuthorizationHeader),
                                 Metadata(*context, kApiKeyHeader));
  if (!caller.ok()) {
    finish("", caller.status());
    return reactor;
  }
  call.key_id = caller->key_id;
  call.principal = std::move(caller->principal);
  forwarder_->Forward(*route, call, *request, response,
                      [finish, key_id = call.key_id](absl::Status status) {
                        finish(key_id, status);
                      });
  return reactor;
}

std::vector<std::unique_ptr<grpc::Service>> MakeGrpcServices(
    const GrpcCalls* calls) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<CaseService>(calls));
  services.push_back(std::make_unique<InstrumentService>(calls));
  services.push_back(std::make_unique<AssessmentService>(calls));
  services.push_back(std::make_unique<CounsellingService>(calls));
  services.push_back(std::make_unique<ConsentService>(calls));
  return services;
}

}  // namespace homeward::gateway
