// ProgrammeService handlers: read-only access to the programme data published
// at start (the taxonomy of reintegration support and the programmes). Any
// authenticated caller may read it; it holds no personal data. Thin: the
// catalogs do the work.
//
//   ProgrammeServiceImpl service(taxonomies, programmes, verifier);
//   host.AddService<homeward::v1::ProgrammeService>(...);
#ifndef HOMEWARD_SERVICES_ASSESSMENT_PROGRAMME_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_PROGRAMME_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "homeward/v1/taxonomy.grpc.pb.h"

namespace homeward::assessment {

class ProgrammeServiceImpl final
    : public homeward::v1::ProgrammeService::Service {
 public:
  ProgrammeServiceImpl(const programme::TaxonomyCatalog* taxonomies,
                       const programme::ProgrammeCatalog* programmes,
                       const auth::PrincipalVerifier* verifier)
      : taxonomies_(taxonomies), programmes_(programmes), verifier_(verifier) {}

  grpc::Status GetTaxonomy(grpc::ServerContext* context,
                           const homeward::v1::GetTaxonomyRequest* request,
                           homeward::v1::Taxonomy* response) override;
  grpc::Status GetProgramme(grpc::ServerContext* context,
                            const homeward::v1::GetProgrammeRequest* request,
                            homeward::v1::Programme* response) override;
  grpc::Status ListProgrammes(
      grpc::ServerContext* context,
      const homeward::v1::ListProgrammesRequest* request,
      homeward::v1::ListProgrammesResponse* response) override;

 private:
  absl::Status Taxonomy(const grpc::ServerContext& context,
                        const homeward::v1::GetTaxonomyRequest& request,
                        homeward::v1::Taxonomy* response) const;
  absl::Status Programme(const grpc::ServerContext& context,
                         const homeward::v1::GetProgrammeRequest& request,
                         homeward::v1::Programme* response) const;
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListProgrammesRequest& request,
                    homeward::v1::ListProgrammesResponse* response) const;

  const programme::TaxonomyCatalog* taxonomies_;
  const programme::ProgrammeCatalog* programmes_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_PROGRAMME_SERVICE_H_
