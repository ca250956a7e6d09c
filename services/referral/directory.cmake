# The service directory (docs/DIRECTORY.md).
#
# homeward_referral_directory_rules: pure — the content and search rules
# (directory_rules.h), the ISO 4217 table (iso_currencies.h) and HSDS 3.0
# documents <-> entries (hsds_document.h).
add_library(homeward_referral_directory_rules STATIC directory_rules.cc
  iso_currencies.cc hsds_document.cc)
target_compile_options(homeward_referral_directory_rules PRIVATE
  ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_directory_rules PUBLIC homeward_protos
  homeward_status homeward_api absl::btree absl::flat_hash_map absl::status
  absl::statusor absl::strings)

homeward_test(referral_directory_rules_test directory_rules_test.cc
  hsds_document_test.cc LIBS homeward_referral_directory_rules)

# homeward_referral_directory: the store (directory_store.h) and the
# DirectoryService handlers (directory_service.h).
add_library(homeward_referral_directory STATIC directory_store.cc
  directory_service.cc)
target_compile_options(homeward_referral_directory PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral_directory PUBLIC
  homeward_referral_directory_rules homeward_grpc_protos homeward_storage
  homeward_service homeward_programme homeward_api homeward_status)

homeward_test(referral_directory_store_test directory_store_test.cc
  LIBS homeward_referral_directory)
homeward_test(referral_directory_service_test directory_service_test.cc
  LIBS homeward_referral_directory)
