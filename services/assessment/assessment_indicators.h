// The assessment service's part of the programme indicators
// (indicator_parts.proto): the "caseload" and "rss" tables, added up case by
// case from the case record and the case's RSS submissions. Pure: the period
// is passed in, nothing is read or written, so the definitions are tested
// with hand-checked tables (assessment_indicators_test.cc) and the handler
// only walks the office's cases (assessment_indicators_service.h).
//
//   indicators::IndicatorCells cells;
//   StartAssessmentCells(&cells);  // every count cell, at 0
//   for (const Case& c : office_cases) {
//     AddCaseloadCells(c, period, &cells);
//     AddRssCells(rss_submissions_of(c), period, &cells);
//   }
//   *response = cells.ToPart();
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_INDICATORS_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_INDICATORS_H_

#include <vector>

#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

inline constexpr char kCaseloadTable[] = "caseload";
inline constexpr char kRssTable[] = "rss";

// Every count cell of both tables at 0, so that a table is complete for an
// office without cases: caseload rows are the CaseStage names but
// UNSPECIFIED (columns "cases", "registered_in_period"), rss rows the score
// kinds ECONOMIC, SOCIAL, PSYCHOSOCIAL, COMPOSITE (columns "baseline_cases",
// "follow_up_cases"). Means are left out until a value is added.
void StartAssessmentCells(indicators::IndicatorCells* cells);

// Caseload: one more case under its current stage in "cases", and in
// "registered_in_period" when its registration (create_time, UTC day) is in
// the period. A case without a stage (not a stored case) adds nothing.
void AddCaseloadCells(const homeward::v1::Case& c,
                      const indicators::IndicatorPeriod& period,
                      indicators::IndicatorCells* cells);

// RSS scores of one case, from its assessments (any kind, any order; only
// the returnee's RSS submissions count, those about a household member do
// not). Of the BASELINE submissions submitted (create_time) in the period
// the latest counts, and of the FOLLOW_UP ones the latest ("latest": the
// greatest assessment date, then the later submission). Per score kind the
// baseline adds the case to "baseline_cases" and its score to
// "baseline_mean" when it has that score (a score is absent when none of
// its items was answered); the follow-up likewise to "follow_up_cases" and
// "follow_up_mean". "mean_change" takes that follow-up's score minus the
// score of the baseline it compares with: the latest BASELINE submitted at
// any time not after it, of the same instrument and version (scores compare
// only within one version), when both have the score.
void AddRssCells(const std::vector<homeward::v1::Assessment>& assessments,
                 const indicators::IndicatorPeriod& period,
                 indicators::IndicatorCells* cells);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_INDICATORS_H_
