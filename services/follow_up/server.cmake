# The server (follow_up_server.h: the projections, the contacts and the
# closures composed on the service host) and the homeward-follow-up binary.
add_library(homeward_follow_up STATIC follow_up_server.cc)
target_compile_options(homeward_follow_up PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward_follow_up PUBLIC homeward_follow_up_contacts
  homeward_follow_up_closure homeward_programme homeward_service
  homeward_grpc_protos)

add_executable(homeward-follow-up main.cc)
target_compile_options(homeward-follow-up PRIVATE ${HOMEWARD_WARNINGS})
target_link_libraries(homeward-follow-up PRIVATE homeward_follow_up
  homeward_service_main)
homeward_use_jemalloc(homeward-follow-up)
