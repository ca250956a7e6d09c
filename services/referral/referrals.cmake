# Referrals and their closed loop.
#
# homeward_referral_rules: the pure rules (the status table keyed by (from,
# to, side), request validation, the partner's view), with no I/O.
add_library(homeward_referral_rules STATIC referral_transitions.cc
  referral_requests.cc shared_view.cc)
target_compile_options(homeward_referral_rules PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_rules PUBLIC homeward_protos
  homeward_status homeward_api absl::status absl::statusor absl::strings
  absl::time)

homeward_test(referral_rules_test referral_transitions_test.cc
  referral_requests_test.cc shared_view_test.cc
  LIBS homeward_referral_rules)
