# The server (follow_up_server.h: the projections, the contacts and the
# closures composed on the service host) and the homeward-follow-up binary.
add_library(homeward_follow_up STATIC follow_up_server.cc)
# The follow-up service's part of a subject-access export.
target_sources(homeward_follow_up PRIVATE
  follow_up_case_records_part_service.cc)
target_compile_options(homeward_follow_up PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up PUBLIC homeward_follow_up_contacts
  homeward_follow_up_closure homeward_programme homeward_service
  homeward_grpc_protos)

add_executable(homeward-follow-up main.cc)
target_compile_options(homeward-follow-up PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward-follow-up PRIVATE homeward_follow_up
  homeward_service_main)
homeward_use_jemalloc(homeward-follow-up)

# The programme indicators' part (follow_up_indicators.h: the pure counts,
# with table-driven tests; follow_up_indicator_service.h: the internal
# FollowUpIndicators handler over the contact and closure stores' scans).
add_library(homeward_follow_up_indicators STATIC follow_up_indicators.cc
  follow_up_indicator_service.cc)
target_compile_options(homeward_follow_up_indicators PRIVATE
  ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up_indicators PUBLIC
  homeward_follow_up_contacts homeward_follow_up_closure_store
  homeward_indicators homeward_service homeward_grpc_protos homeward_api)
target_link_libraries(homeward_follow_up PUBLIC homeward_follow_up_indicators)

homeward_test(follow_up_indicators_test follow_up_indicators_test.cc
  LIBS homeward_follow_up_indicators)
