// Subject-access export composed at the gateway; see subject_access.h.
#include "services/gateway/subject_access.h"

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/server/log.h"
#include "common/status/errors.h"
#include "google/protobuf/util/time_util.h"
#include "homeward/internal/v1/case_records_parts.pb.h"
#include "homeward/v1/subject_access.pb.h"
#include "services/gateway/forwarder.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;
using ::homeward::internal::v1::CaseRecordsPartRequest;

// Whether a part that ended with `code` could not be had from a service
// that is deployed: down, too slow, or without the method.
bool UnansweredCode(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kUnimplemented;
}

bool Deployed(const Forwarder& forwarder, absl::string_view backend) {
  for (const Backend& b : forwarder.backends()) {
    if (b.name() == backend) return true;
  }
  return !IsOptionalBackend(backend);
}

// One export from its parts' reads to its answer. Owned by the reads'
// callbacks (shared_ptr), so it lives until the last one ran; each read
// fills only its own slot, and the last to end assembles the answer.
struct ExportCall {
  std::string case_id;
  std::string request_id;
  std::shared_ptr<CaseRecordsPartRequest> part_request;
  v1::AssessmentCaseRecords assessment;
  v1::PlanningCaseRecords planning;
  v1::ReferralCaseRecords referral;
  v1::FollowUpCaseRecords follow_up;
  std::vector<CaseRecordsPartOutcome> outcomes;  // as CaseRecordsSources()
  v1::ExportCaseRecordsResponse* response = nullptr;
  Done done;

  absl::Mutex mu;
  size_t pending ABSL_GUARDED_BY(mu) = 0;

  // The slot of source `i`'s answer.
  google::protobuf::Message* Slot(size_t i) {
    switch (i) {
      case 0:
        return &assessment;
      case 1:
        return &planning;
      case 2:
        return &referral;
      default:
        return &follow_up;
    }
  }

  // Runs once every part is in.
  void Finish() {
    absl::Status verdict = ExportVerdict(case_id, outcomes);
    if (!verdict.ok()) {
      for (const CaseRecordsPartOutcome& part : outcomes) {
        if (part.deployed && !part.status.ok()) {
          server::Log("warn", "subject-access export part failed",
                      {{"request_id", request_id},
                       {"service", part.backend},
                       {"code", absl::StatusCodeToString(part.status.code())}});
        }
      }
      return std::exchange(done, nullptr)(std::move(verdict));
    }
    v1::ExportCaseRecordsResponse& out = *response;
    out.Clear();
    out.set_case_id(case_id);
    *out.mutable_export_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(absl::Now()));
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const CaseRecordsPartOutcome& part = outcomes[i];
      if (!part.deployed) {
        out.add_not_deployed(part.backend);
        continue;
      }
      // A service that holds nothing of the case yet answered NOT_FOUND:
      // its part is there, empty.
      const bool empty = !part.status.ok();
      switch (i) {
        case 0:
          out.mutable_assessment()->Swap(&assessment);
          break;
        case 1:
          if (empty) planning.Clear();
          out.mutable_planning()->Swap(&planning);
          break;
        case 2:
          if (empty) referral.Clear();
          out.mutable_referral()->Swap(&referral);
          break;
        default:
          if (empty) follow_up.Clear();
          out.mutable_follow_up()->Swap(&follow_up);
          break;
      }
    }
    std::exchange(done, nullptr)(absl::OkStatus());
  }
};

void ComposeExport(Forwarder& forwarder, const CallInfo& call,
                   const google::protobuf::Message& request,
                   google::protobuf::Message* response, Done done) {
  const auto& asked = static_cast<const v1::ExportCaseRecordsRequest&>(request);
  if (asked.case_id().empty()) {
    return done(errors::InvalidField(
        "case_id", "is required: the case whose records are exported"));
  }
  const std::vector<CaseRecordsSource>& sources = CaseRecordsSources();
  auto state = std::make_shared<ExportCall>();
  state->case_id = asked.case_id();
  state->request_id = call.request_id;
  state->part_request = std::make_shared<CaseRecordsPartRequest>();
  state->part_request->set_case_id(asked.case_id());
  state->response = static_cast<v1::ExportCaseRecordsResponse*>(response);
  state->done = std::move(done);
  state->outcomes.resize(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    state->outcomes[i].backend = sources[i].backend;
    state->outcomes[i].deployed = Deployed(forwarder, sources[i].backend);
  }
  {
    absl::MutexLock lock(&state->mu);
    // Counted before any read starts, since an answer may come at once.
    state->pending = sources.size();
  }
  // Every part at once, each by the composed call's one deadline.
  for (size_t i = 0; i < sources.size(); ++i) {
    auto answered = [state, i](absl::Status status) {
      state->outcomes[i].status = std::move(status);
      bool last;
      {
        absl::MutexLock lock(&state->mu);
        last = --state->pending == 0;
      }
      if (last) state->Finish();
    };
    if (!state->outcomes[i].deployed) {
      answered(absl::OkStatus());
      continue;
    }
    const MethodRoute* method = forwarder.methods().Find(sources[i].method);
    if (method == nullptr) {
      // A gateway whose table lacks the part: it cannot be had, and the
      // export would be incomplete.
      answered(errors::Unimplemented(absl::StrCat(
          sources[i].method, " is not in the gateway's method table")));
      continue;
    }
    forwarder.Forward(*method, call, *state->part_request, state->Slot(i),
                      std::move(answered));
  }
}

}  // namespace

const std::vector<CaseRecordsSource>& CaseRecordsSources() {
  static const std::vector<CaseRecordsSource>* const sources =
      new std::vector<CaseRecordsSource>{
          {kAssessmentService,
           "homeward.internal.v1.AssessmentCaseRecordsPart/GetCaseRecordsPart"},
          {kPlanningService,
           "homeward.internal.v1.PlanningCaseRecordsPart/GetCaseRecordsPart"},
          {kReferralService,
           "homeward.internal.v1.ReferralCaseRecordsPart/GetCaseRecordsPart"},
          {kFollowUpService,
           "homeward.internal.v1.FollowUpCaseRecordsPart/GetCaseRecordsPart"},
      };
  return *sources;
}

Callers SubjectAccessCallers() {
  return {false, {homeward::v1::ROLE_SUPERVISOR}, "supervisors"};
}

std::vector<MethodRoute> SubjectAccessMethods() {
  std::vector<MethodRoute> methods;
  methods.push_back(ComposedMethod<v1::ExportCaseRecordsRequest,
                                   v1::ExportCaseRecordsResponse>(
      kExportCaseRecords, SubjectAccessCallers(), ComposeExport));
  // Each part from the replica owning the case.
  methods.push_back(Unary<CaseRecordsPartRequest, v1::AssessmentCaseRecords>(
      CaseRecordsSources()[0].backend, CaseRecordsSources()[0].method,
      ByCaseId("case_id"), SubjectAccessCallers()));
  methods.push_back(Unary<CaseRecordsPartRequest, v1::PlanningCaseRecords>(
      CaseRecordsSources()[1].backend, CaseRecordsSources()[1].method,
      ByCaseId("case_id"), SubjectAccessCallers()));
  methods.push_back(Unary<CaseRecordsPartRequest, v1::ReferralCaseRecords>(
      CaseRecordsSources()[2].backend, CaseRecordsSources()[2].method,
      ByCaseId("case_id"), SubjectAccessCallers()));
  methods.push_back(Unary<CaseRecordsPartRequest, v1::FollowUpCaseRecords>(
      CaseRecordsSources()[3].backend, CaseRecordsSources()[3].method,
      ByCaseId("case_id"), SubjectAccessCallers()));
  for (size_t i = 1; i < methods.size(); ++i) methods[i].internal = true;
  return methods;
}

absl::Status ExportVerdict(absl::string_view case_id,
                           const std::vector<CaseRecordsPartOutcome>& parts) {
  if (!parts.empty() && parts[0].deployed) {
    const absl::StatusCode of_case = parts[0].status.code();
    if (of_case == absl::StatusCode::kNotFound ||
        of_case == absl::StatusCode::kPermissionDenied) {
      return errors::NotFound("case", case_id);
    }
    if (of_case == absl::StatusCode::kInvalidArgument) return parts[0].status;
  }
  std::vector<std::string> unanswered;
  for (const CaseRecordsPartOutcome& part : parts) {
    if (part.deployed && UnansweredCode(part.status.code())) {
      unanswered.push_back(
          absl::StrCat("the ", part.backend, " service (",
                       absl::StatusCodeToString(part.status.code()), ")"));
    }
  }
  if (!unanswered.empty()) {
    return errors::Unavailable(absl::StrCat(
        "the export of case '", case_id,
        "' would be incomplete, so none is given: no answer from ",
        absl::StrJoin(unanswered, " and "), "; retry once it is back"));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    const CaseRecordsPartOutcome& part = parts[i];
    if (!part.deployed || part.status.ok()) continue;
    if (i > 0 && part.status.code() == absl::StatusCode::kNotFound) continue;
    return part.status;
  }
  return absl::OkStatus();
}

}  // namespace homeward::gateway
