# What the referral service asks of and learns from the other services: the
# consent check asked of the assessment service at a referral's creation
# (assessment_consent.h, over common/service/upstream_calls.h) and the plan
# activities awaiting a referral, kept from the planning feed
# (referrals_to_make.h).
add_library(homeward_referral_integration STATIC
  ${CMAKE_CURRENT_LIST_DIR}/assessment_consent.cc
  ${CMAKE_CURRENT_LIST_DIR}/referrals_to_make.cc)
target_compile_options(homeward_referral_integration PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_integration PUBLIC homeward_grpc_protos
  homeward_service homeward_cases homeward_feeds homeward_storage
  homeward_server homeward_status absl::status absl::statusor absl::strings
  absl::time)

# Planning events applied to a real store, redelivered, and read back after
# the store is reopened. (AssessmentConsent runs against a real assessment
# server in tests/referral_consent_test.cc: a service's tests may not
# include another service.)
homeward_test(referrals_to_make_test
  ${CMAKE_CURRENT_LIST_DIR}/referrals_to_make_test.cc
  LIBS homeward_referral_integration)
