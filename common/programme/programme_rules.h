// Validation of a programme's configuration (homeward/v1/taxonomy.proto,
// Programme) before it is published: what cases, planning and follow-up rely
// on (countries, budget ceiling, plan deadline, follow-up cadence, taxonomy).
// Pure: whether the named taxonomy version is published is checked by the
// loader (PublishProgrammeDir), which has the catalog.
//
//   errors::FieldViolations bad = programme::ValidateProgramme(programme);
//   RETURN_IF_ERROR(bad.ToStatus());
//
// The rules are listed in docs/INSTRUMENTS.md, "Programmes".
#ifndef HOMEWARD_COMMON_PROGRAMME_PROGRAMME_RULES_H_
#define HOMEWARD_COMMON_PROGRAMME_PROGRAMME_RULES_H_

#include "common/status/errors.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::programme {

// Every problem with `programme`, each its own violation naming the field
// ("countries[2]", "follow_up.rss_at_months[0]") and what is allowed. Empty
// when it can be published. Output-only fields are ignored.
errors::FieldViolations ValidateProgramme(
    const homeward::v1::Programme& programme);

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_PROGRAMME_RULES_H_
