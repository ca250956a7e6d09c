// InstrumentService handlers: administrators publish instrument definitions;
// any authenticated caller may read them (they hold no personal data).
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_SERVICE_H_

#include "common/auth/principal_token.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "services/assessment/instrument_store.h"

namespace homeward::assessment {

class InstrumentServiceImpl final
    : public homeward::v1::InstrumentService::Service {
 public:
  InstrumentServiceImpl(InstrumentStore* instruments,
                        const auth::PrincipalVerifier* verifier)
      : instruments_(instruments), verifier_(verifier) {}

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
  const auth::PrincipalVerifier* verifier_;
};

// Validates a definition for publishing: every violation's field path is
// prefixed with "instrument.".
absl::Status ValidatePublishInstrument(
    const homeward::v1::PublishInstrumentRequest& request);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_SERVICE_H_
