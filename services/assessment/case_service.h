// The CaseService RPC handlers on gRPC's callback API: verify the principal,
// validate the request, check access, call the CaseStore. Reads finish on the
// calling thread; writes finish from the store's committer thread once their
// batch is durable, so no thread is held while the WAL syncs and concurrent
// writes share fsyncs. The rules live in case_validation.h and case_access.h.
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "common/server/arena_messages.h"
#include "common/status/errors.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

class CaseServiceImpl final
    : public homeward::v1::CaseService::CallbackService {
 public:
  // `programmes` holds the published programmes a case may belong to.
  CaseServiceImpl(CaseStore* cases,
                  const programme::ProgrammeCatalog* programmes,
                  const auth::PrincipalVerifier* verifier)
      : cases_(cases), programmes_(programmes), verifier_(verifier) {
    SetMessageAllocatorFor_GetCase(&get_case_messages_);
  }

  grpc::ServerUnaryReactor* RegisterCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::RegisterCaseRequest* request,
      homeward::v1::Case* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const homeward::v1::GetCaseRequest* request,
                                    homeward::v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListCasesRequest* request,
      homeward::v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::UpdateCaseRequest* request,
      homeward::v1::Case* response) override;
  grpc::ServerUnaryReactor* AssignCase(
      grpc::CallbackServerContext* context,
      const homeward::v1::AssignCaseRequest* request,
      homeward::v1::Case* response) override;

 private:
  // Each returns an error to finish the call with at once, or OK once it has
  // arranged for `done` to finish it later.
  absl::Status Register(const grpc::CallbackServerContext& context,
                        const homeward::v1::RegisterCaseRequest& request,
                        service::WriteDone<homeward::v1::Case> done);
  absl::Status Get(const grpc::CallbackServerContext& context,
                   const homeward::v1::GetCaseRequest& request,
                   homeward::v1::Case* response);
  absl::Status List(const grpc::CallbackServerContext& context,
                    const homeward::v1::ListCasesRequest& request,
                    homeward::v1::ListCasesResponse* response);
  absl::Status Update(const grpc::CallbackServerContext& context,
                      const homeward::v1::UpdateCaseRequest& request,
                      service::WriteDone<homeward::v1::Case> done);
  absl::Status Assign(const grpc::CallbackServerContext& context,
                      const homeward::v1::AssignCaseRequest& request,
                      service::WriteDone<homeward::v1::Case> done);

  // Adds to `bad` what is wrong with `c`'s programme (CheckCaseProgramme
  // against the latest published version); errors reading the catalog.
  absl::Status CheckProgramme(errors::FieldViolations& bad,
                              const homeward::v1::Case& c) const;

  CaseStore* cases_;
  const programme::ProgrammeCatalog* programmes_;
  const auth::PrincipalVerifier* verifier_;
  // GetCase is the hot read: its messages live on a per-call arena.
  server::ArenaMessages<homeward::v1::GetCaseRequest, homeward::v1::Case>
      get_case_messages_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_SERVICE_H_
