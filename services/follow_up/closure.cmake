# Closure (helper CLOSURE): closing and reopening a case.
#
# homeward_follow_up_closure_rules: the pure rules (kind from reason, request
# checks, what is still open, the closure status table), no I/O.
add_library(homeward_follow_up_closure_rules STATIC closure_rules.cc)
target_compile_options(homeward_follow_up_closure_rules PRIVATE
  ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up_closure_rules PUBLIC homeward_protos
  homeward_status homeward_api absl::status absl::statusor absl::strings
  absl::time)

homeward_test(follow_up_closure_rules_test closure_rules_test.cc
  LIBS homeward_follow_up_closure_rules)

# homeward_follow_up_closure_store: closures and the case's latest-closure
# head in the case's partition, with their events and audit entries. Depends
# on nothing else of the follow-up service: the contacts' handlers link it
# for ClosureStore::IsClosed / CheckOpen.
add_library(homeward_follow_up_closure_store STATIC closure_store.cc)
target_compile_options(homeward_follow_up_closure_store PRIVATE
  ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up_closure_store PUBLIC
  homeward_follow_up_closure_rules homeward_storage homeward_service
  homeward_cases homeward_api homeward_status absl::status absl::statusor
  absl::strings)

homeward_test(follow_up_closure_store_test closure_store_test.cc
  LIBS homeward_follow_up_closure_store)

# homeward_follow_up_closure: the CaseClosureService handlers over the rules,
# the closure store, the contact store and the feeds' views.
add_library(homeward_follow_up_closure STATIC closure_service.cc)
target_compile_options(homeward_follow_up_closure PRIVATE
  ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up_closure PUBLIC
  homeward_follow_up_closure_store homeward_follow_up_contacts
  homeward_grpc_protos homeward_service homeward_cases homeward_api)
