// Early-return helpers for absl::Status and absl::StatusOr (Abseil 20220623
// ships none).
//
//   absl::StatusOr<Case> Load(...) {
//     RETURN_IF_ERROR(Check(...));
//     ASSIGN_OR_RETURN(std::string bytes, store.Read(...));
//     ...
//   }
#ifndef HOMEWARD_COMMON_STATUS_STATUS_MACROS_H_
#define HOMEWARD_COMMON_STATUS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HOMEWARD_STATUS_CONCAT_INNER_(a, b) a##b
#define HOMEWARD_STATUS_CONCAT_(a, b) HOMEWARD_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status homeward_status_ = (expr);            \
    if (!homeward_status_.ok()) return homeward_status_; \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  HOMEWARD_ASSIGN_OR_RETURN_IMPL_(  \
      HOMEWARD_STATUS_CONCAT_(homeward_statusor_, __LINE__), lhs, expr)

#define HOMEWARD_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()

#endif  // HOMEWARD_COMMON_STATUS_STATUS_MACROS_H_
