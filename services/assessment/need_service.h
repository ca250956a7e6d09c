// NeedService handlers: the needs and protection concerns of a case, read
// and changed by the case managers and supervisors of its office (every
// other role gets PERMISSION_DENIED). Categories and response categories
// are checked against the latest published taxonomy; status changes follow
// need_rules.h and carry the etag the caller read.
//
//   parts.AddService<homeward::v1::NeedService>(
//       std::make_unique<NeedServiceImpl>(cases, needs, taxonomies,
//                                         parts.verifier()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_NEED_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_NEED_SERVICE_H_

#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "common/status/errors.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/need_store.h"

namespace homeward::assessment {

// A page of the needs of the case `request` names, for `actor` (read role,
// the case's office; the read is audited): NeedService.ListNeeds and the
// older AssessmentService.ListNeeds answer with it.
absl::Status ListCaseNeeds(const service::Actor& actor, CaseStore& cases,
                           const NeedStore& needs,
                           const homeward::v1::ListNeedsRequest& request,
                           homeward::v1::ListNeedsResponse* response);

// The taxonomy whose latest version needs and concerns name.
inline constexpr char kNeedTaxonomyId[] = "reintegration";

class NeedServiceImpl final : public homeward::v1::NeedService::Service {
 public:
  NeedServiceImpl(CaseStore* cases, NeedStore* needs,
                  const programme::TaxonomyCatalog* taxonomies,
                  const auth::PrincipalVerifier* verifier)
      : cases_(cases),
        needs_(needs),
        taxonomies_(taxonomies),
        verifier_(verifier) {}

  grpc::Status AddNeed(grpc::ServerContext* context,
                       const homeward::v1::AddNeedRequest* request,
                       homeward::v1::Need* response) override;
  grpc::Status GetNeed(grpc::ServerContext* context,
                       const homeward::v1::GetNeedRequest* request,
                       homeward::v1::Need* response) override;
  grpc::Status ListNeeds(grpc::ServerContext* context,
                         const homeward::v1::ListNeedsRequest* request,
                         homeward::v1::ListNeedsResponse* response) override;
  grpc::Status SetNeedStatus(grpc::ServerContext* context,
                             const homeward::v1::SetNeedStatusRequest* request,
                             homeward::v1::Need* response) override;
  grpc::Status AddProtectionConcern(
      grpc::ServerContext* context,
      const homeward::v1::AddProtectionConcernRequest* request,
      homeward::v1::ProtectionConcern* response) override;
  grpc::Status GetProtectionConcern(
      grpc::ServerContext* context,
      const homeward::v1::GetProtectionConcernRequest* request,
      homeward::v1::ProtectionConcern* response) override;
  grpc::Status ListProtectionConcerns(
      grpc::ServerContext* context,
      const homeward::v1::ListProtectionConcernsRequest* request,
      homeward::v1::ListProtectionConcernsResponse* response) override;
  grpc::Status SetProtectionConcernStatus(
      grpc::ServerContext* context,
      const homeward::v1::SetProtectionConcernStatusRequest* request,
      homeward::v1::ProtectionConcern* response) override;

 private:
  absl::Status Add(const grpc::ServerContext& context,
                   const homeward::v1::AddNeedRequest& request,
                   homeward::v1::Need* response);
  absl::Status Get(const grpc::ServerContext& context,
                   const homeward::v1::GetNeedRequest& request,
                   homeward::v1::Need* response);
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListNeedsRequest& request,
                    homeward::v1::ListNeedsResponse* response);
  absl::Status SetStatus(const grpc::ServerContext& context,
                         const homeward::v1::SetNeedStatusRequest& request,
                         homeward::v1::Need* response);
  absl::Status AddConcern(
      const grpc::ServerContext& context,
      const homeward::v1::AddProtectionConcernRequest& request,
      homeward::v1::ProtectionConcern* response);
  absl::Status GetConcern(
      const grpc::ServerContext& context,
      const homeward::v1::GetProtectionConcernRequest& request,
      homeward::v1::ProtectionConcern* response);
  absl::Status ListConcerns(
      const grpc::ServerContext& context,
      const homeward::v1::ListProtectionConcernsRequest& request,
      homeward::v1::ListProtectionConcernsResponse* response);
  absl::Status SetConcernStatus(
      const grpc::ServerContext& context,
      const homeward::v1::SetProtectionConcernStatusRequest& request,
      homeward::v1::ProtectionConcern* response);
  // `bad` (the request's own violations) with the taxonomy's verdict on
  // the component `field` names, checked only when the request is otherwise
  // well formed.
  absl::Status CheckTaxonomy(errors::FieldViolations bad,
                             homeward::v1::Dimension dimension,
                             absl::string_view component,
                             absl::string_view field,
                             absl::string_view category_field) const;

  CaseStore* cases_;
  NeedStore* needs_;
  const programme::TaxonomyCatalog* taxonomies_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_NEED_SERVICE_H_
