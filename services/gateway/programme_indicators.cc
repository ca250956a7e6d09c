// Programme indicators composed at the gateway; see programme_indicators.h.
#include "services/gateway/programme_indicators.h"

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/api/field_checks.h"
#include "common/indicators/indicator_request.h"
#include "common/server/log.h"
#include "common/status/errors.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/indicator_tables.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;
using ::homeward::internal::v1::IndicatorPart;
using ::homeward::internal::v1::IndicatorPartRequest;

// Whether a part that failed with `code` is missing (its service is down,
// too slow or not deployed) rather than a reason to fail the whole call.
bool MissingPartCode(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kUnimplemented;
}

// One GetProgrammeIndicators call from its sub-calls to its answer. Owned by
// the sub-calls' callbacks (shared_ptr), so it lives until the last one ran.
struct IndicatorCall {
  int threshold = kDefaultIndicatorSuppressionThreshold;
  std::string request_id;
  v1::GetProgrammeIndicatorsRequest request;
  IndicatorPartRequest part_request;
  std::vector<IndicatorPart> parts;    // one per IndicatorSources() entry
  std::vector<absl::Status> statuses;  // the same
  v1::ProgrammeIndicators* response = nullptr;
  Done done;

  absl::Mutex mu;
  size_t pending ABSL_GUARDED_BY(mu) = 0;

  // Runs on the thread of the last part's answer: every part is in.
  void Finish() {
    std::vector<IndicatorPart> answered;
    for (size_t i = 0; i < statuses.size(); ++i) {
      const absl::Status& status = statuses[i];
      if (status.ok()) {
        answered.push_back(std::move(parts[i]));
      } else if (MissingPartCode(status.code())) {
        response->add_missing_services(IndicatorSources()[i].backend);
      } else {
        // The service's own refusal (e.g. its scope check), as it said it.
        return std::exchange(done, nullptr)(status);
      }
    }
    const MergedIndicators merged = MergeIndicatorParts(answered);
    if (merged.ignored_cells > 0) {
      // A service newer (or older) than the gateway's catalogue; counts
      // only, no data.
      server::Log("warn", "indicator cells outside the catalogue ignored",
                  {{"request_id", request_id},
                   {"ignored_cells", absl::StrCat(merged.ignored_cells)}});
    }
    response->set_office_id(request.office_id());
    *response->mutable_period_start() = request.period_start();
    *response->mutable_period_end() = request.period_end();
    response->set_suppression_threshold(threshold);
    for (v1::IndicatorTable& table :
         RenderIndicatorTables(merged, request.table(), threshold)) {
      *response->add_tables() = std::move(table);
    }
    std::exchange(done, nullptr)(absl::OkStatus());
  }
};

void ComposeProgrammeIndicators(int threshold, Forwarder& forwarder,
                                const CallInfo& call,
                                const google::protobuf::Message& request,
                                google::protobuf::Message* response,
                                Done done) {
  const auto& indicators_request =
      static_cast<const v1::GetProgrammeIndicatorsRequest&>(request);
  if (absl::Status checked =
          CheckProgrammeIndicatorsRequest(indicators_request, call.principal);
      !checked.ok()) {
    return done(std::move(checked));
  }
  const std::vector<IndicatorSource>& sources = IndicatorSources();
  auto state = std::make_shared<IndicatorCall>();
  state->threshold = threshold;
  state->request_id = call.request_id;
  state->request = indicators_request;
  state->part_request = PartRequestOf(indicators_request, api::TodayUtc());
  state->parts.resize(sources.size());
  state->statuses.resize(sources.size());
  state->response = static_cast<v1::ProgrammeIndicators*>(response);
  state->done = std::move(done);
  {
    absl::MutexLock lock(&state->mu);
    state->pending = sources.size();
  }
  // Every part at once, each with the call's own deadline: the slowest
  // service costs at most that.
  for (size_t i = 0; i < sources.size(); ++i) {
    auto answered = [state, i](absl::Status status) {
      state->statuses[i] = std::move(status);
      bool last;
      {
        absl::MutexLock lock(&state->mu);
        last = --state->pending == 0;
      }
      if (last) state->Finish();
    };
    const MethodRoute* method = forwarder.methods().Find(sources[i].method);
    if (method == nullptr) {
      // A table built without the part methods (a test's own table): the
      // part is missing, as if its service were not deployed.
      answered(errors::Unimplemented(absl::StrCat(
          sources[i].method, " is not in the gateway's method table")));
      continue;
    }
    forwarder.Forward(*method, call, state->part_request, &state->parts[i],
                      std::move(answered));
  }
}

}  // namespace

const std::vector<IndicatorSource>& IndicatorSources() {
  static const std::vector<IndicatorSource>* const sources =
      new std::vector<IndicatorSource>{
          {kAssessmentService,
           "homeward.internal.v1.AssessmentIndicators/GetIndicatorPart"},
          {kPlanningService,
           "homeward.internal.v1.PlanningIndicators/GetIndicatorPart"},
          {kReferralService,
           "homeward.internal.v1.ReferralIndicators/GetIndicatorPart"},
          {kFollowUpService,
           "homeward.internal.v1.FollowUpIndicators/GetIndicatorPart"},
      };
  return *sources;
}

std::vector<MethodRoute> IndicatorMethods(int suppression_threshold) {
  std::vector<MethodRoute> methods;
  methods.push_back(ComposedMethod<v1::GetProgrammeIndicatorsRequest,
                                   v1::ProgrammeIndicators>(
      kGetProgrammeIndicators, IndicatorReaders(),
      [suppression_threshold](Forwarder& forwarder, const CallInfo& call,
                              const google::protobuf::Message& request,
                              google::protobuf::Message* response, Done done) {
        ComposeProgrammeIndicators(suppression_threshold, forwarder, call,
                                   request, response, std::move(done));
      }));
  for (const IndicatorSource& source : IndicatorSources()) {
    // Every replica's cells of its own partitions, concatenated.
    MethodRoute part = Unary<IndicatorPartRequest, IndicatorPart>(
        source.backend, source.method, Gather("cells"), IndicatorReaders());
    part.internal = true;
    methods.push_back(std::move(part));
  }
  return methods;
}

absl::Status CheckProgrammeIndicatorsRequest(
    const v1::GetProgrammeIndicatorsRequest& request,
    const homeward::internal::v1::Principal& caller) {
  // The office, the period and the caller's scope are what every service
  // checks of its part too (common/indicators): one rule, checked first
  // here so that a bad request reaches no service.
  const absl::CivilDay today = api::TodayUtc();
  absl::Status part = indicators::CheckIndicatorPartRequest(
                          PartRequestOf(request, today), caller, today)
                          .status();
  errors::FieldViolations bad;
  for (const errors::FieldViolation& v : errors::FieldViolationsOf(part)) {
    bad.Add(v.field, v.description);
  }
  if (request.table() != v1::INDICATOR_TABLE_UNSPECIFIED &&
      FindIndicatorTable(request.table()) == nullptr) {
    bad.Add(
        "table",
        absl::StrCat("must be one of the IndicatorTableId values (",
                     v1::IndicatorTableId_Name(v1::INDICATOR_TABLE_CASELOAD),
                     " ... ",
                     v1::IndicatorTableId_Name(v1::INDICATOR_TABLE_CLOSURES),
                     ") or unset for every table, not ",
                     static_cast<int>(request.table())));
  }
  if (!bad.empty()) return bad.ToStatus();
  return part;
}

IndicatorPartRequest PartRequestOf(
    const v1::GetProgrammeIndicatorsRequest& request, absl::CivilDay today) {
  IndicatorPartRequest part;
  part.set_office_id(request.office_id());
  *part.mutable_period_start() = request.period_start();
  *part.mutable_period_end() = request.period_end();
  *part.mutable_as_of() = api::ToDate(today);
  return part;
}

}  // namespace homeward::gateway
