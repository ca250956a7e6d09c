# The server (referral_server.h: the directory, the referrals, the
# projections and the consent check composed on the service host) and the
# homeward-referral binary.
add_library(homeward_referral STATIC referral_server.cc)
# The referral service's part of a subject-access export.
target_sources(homeward_referral PRIVATE referral_case_records_part_service.cc)
target_compile_options(homeward_referral PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_referral PUBLIC homeward_referral_directory
  homeward_referral_core homeward_referral_integration homeward_programme
  homeward_service homeward_grpc_protos)

add_executable(homeward-referral main.cc)
target_compile_options(homeward-referral PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward-referral PRIVATE homeward_referral
  homeward_service_main)
homeward_use_jemalloc(homeward-referral)
