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

# The programme indicators' counts over referrals (referral_indicators.h):
# pure, with the shared cells and period of common/indicators.
add_library(homeward_referral_indicator_rules STATIC referral_indicators.cc)
target_compile_options(homeward_referral_indicator_rules PRIVATE
  ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_indicator_rules PUBLIC
  homeward_indicators homeward_protos absl::strings)

homeward_test(referral_indicator_rules_test referral_indicators_test.cc
  LIBS homeward_referral_indicator_rules)

# The referral store (referral_store.h, indexes in referral_indexes.h), the
# assessment-feed consumer (case_events.h: case scope, consent withdrawal,
# transfers) and the follow-up-feed consumer (case_closures.h: a closed
# case's open referrals cancelled).
add_library(homeward_referral_store STATIC referral_indexes.cc
  referral_store.cc case_events.cc case_closures.cc)
target_compile_options(homeward_referral_store PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_store PUBLIC homeward_referral_rules
  homeward_storage homeward_service homeward_cases homeward_feeds
  homeward_api homeward_status absl::status absl::statusor absl::strings
  absl::time)

homeward_test(referral_store_test referral_store_test.cc case_events_test.cc
  case_closures_test.cc
  LIBS homeward_referral_store)

# The handlers of ReferralService (requester side) and PartnerReferralService
# (performer side) and the internal ReferralIndicators part over the store, the feed consumer, the directory, the
# consent check and the referrals to make.
add_library(homeward_referral_core STATIC referral_service.cc
  referral_indicator_service.cc)
target_compile_options(homeward_referral_core PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_core PUBLIC homeward_referral_store
  homeward_referral_indicator_rules
  homeward_referral_directory homeward_referral_integration
  homeward_grpc_protos homeward_service homeward_cases)

# The handlers through a real gRPC server on a loopback port (a test-local
# ServiceHost composition), with a test ConsentChecker.
homeward_test(referral_service_test referral_service_test.cc
  LIBS homeward_referral_core)

# The assessment-feed consumer fed by a real assessment server through a
# FeedFollower (lives in tests/: it starts the assessment service).
homeward_test(referral_case_feed_test
  ${CMAKE_SOURCE_DIR}/tests/referral_case_feed_test.cc
  LIBS homeward_referral_store homeward_feed_follower homeward_assessment)
