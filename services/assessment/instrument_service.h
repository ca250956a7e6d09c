// InstrumentService handlers: administrators publish instrument definitions,
// checked against the published taxonomy they name; any authenticated caller
// may read them (they hold no personal data).
//
//   InstrumentServiceImpl service(instruments, taxonomies, verifier);
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_SERVICE_H_

#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "services/assessment/instrument_store.h"

namespace homeward::assessment {

class InstrumentServiceImpl final
    : public homeward::v1::InstrumentService::Service {
 public:
  InstrumentServiceImpl(InstrumentStore* instruments,
                        const programme::TaxonomyCatalog* taxonomies,
                        const auth::PrincipalVerifier* verifier)
      : instruments_(instruments),
        taxonomies_(taxonomies),
        verifier_(verifier) {}

  grpc::Status PublishInstrument(
      grpc::ServerContext* context,
      const homeward::v1::PublishInstrumentRequest* request,
      homeward::v1::InstrumentDefinition* response) override;
  grpc::Status GetInstrument(
      grpc::ServerContext* context,
      const homeward::v1::GetInstrumentRequest* request,
      homeward::v1::InstrumentDefinition* response) override;
  grpc::Status ListInstruments(
      grpc::ServerContext* context,
      const homeward::v1::ListInstrumentsRequest* request,
      homeward::v1::ListInstrumentsResponse* response) override;

 private:
  absl::Status Publish(const grpc::ServerContext& context,
                       const homeward::v1::PublishInstrumentRequest& request,
                       homeward::v1::InstrumentDefinition* response);
  absl::Status Get(const grpc::ServerContext& context,
                   const homeward::v1::GetInstrumentRequest& request,
                   homeward::v1::InstrumentDefinition* response);
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListInstrumentsRequest& request,
                    homeward::v1::ListInstrumentsResponse* response);

  InstrumentStore* instruments_;
  const programme::TaxonomyCatalog* taxonomies_;
  const auth::PrincipalVerifier* verifier_;
};

// Validates a definition for publishing against the taxonomies `taxonomies`
// holds (ValidateInstrumentWith): every violation's field path is prefixed
// with "instrument.".
absl::Status ValidatePublishInstrument(
    const homeward::v1::PublishInstrumentRequest& request,
    const programme::TaxonomyCatalog& taxonomies);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_SERVICE_H_
