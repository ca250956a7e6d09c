# Contacts, schedule, projections (helper CONTACTS).
#
# homeward_follow_up_rules: the pure rules of the monitoring schedule
# (follow_up_schedule.h), with no I/O.
add_library(homeward_follow_up_rules STATIC follow_up_schedule.cc)
target_compile_options(homeward_follow_up_rules PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up_rules PUBLIC homeward_protos
  homeward_status homeward_api homeward_programme absl::status absl::statusor
  absl::strings absl::time)

# homeward_follow_up_contacts: the views of the assessment, planning and
# referral feeds (follow_up_cases.h, plan_view.h, referral_view.h), the
# contact store with its due-list index (contact_store.h,
# contact_due_index.h).
add_library(homeward_follow_up_contacts STATIC contact_due_index.cc
  contact_store.cc follow_up_cases.cc plan_view.cc referral_view.cc)
target_compile_options(homeward_follow_up_contacts PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up_contacts PUBLIC
  homeward_follow_up_rules homeward_storage homeward_feeds homeward_cases
  homeward_service homeward_programme homeward_api homeward_status
  absl::status absl::statusor absl::strings absl::time)

# The checks of a recorded or missed contact and the trajectory: pure.
target_sources(homeward_follow_up_rules PRIVATE contact_checks.cc
  trajectory.cc)

# The handlers (follow_up_service.h) and the due lists they read
# (contact_lists.h). A closed case refuses changes: ClosureStore::CheckOpen
# from the closure store's library (helper CLOSURE's, which depends on
# nothing of this one).
target_sources(homeward_follow_up_contacts PRIVATE contact_lists.cc
  follow_up_service.cc)
target_link_libraries(homeward_follow_up_contacts PUBLIC
  homeward_follow_up_closure_store homeward_grpc_protos)
