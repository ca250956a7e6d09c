// A gRPC callback-API message allocator that places a call's request and
// response on one protobuf arena, for hot read methods whose responses are
// decoded from storage straight into place. The arena's first block lives
// inside the holder, so a typical call allocates one object instead of one
// per string and sub-message, and frees it all at once when gRPC releases
// the call.
//
//   ArenaMessages<GetCaseRequest, Case> get_case_messages_;
//   SetMessageAllocatorFor_GetCase(&get_case_messages_);  // in the service
//   // A larger first block for a larger response (a plan of activities):
//   ArenaMessages<GetPlanRequest, Plan, 8192> get_plan_messages_;
#ifndef HOMEWARD_COMMON_SERVER_ARENA_MESSAGES_H_
#define HOMEWARD_COMMON_SERVER_ARENA_MESSAGES_H_

#include <cstddef>

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace homeward::server {

// `kInitialBlockBytes` (default: enough for a case record and its request)
// should hold a typical call's messages without a second block.
template <typename Request, typename Response, size_t kInitialBlockBytes = 2048>
class ArenaMessages final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder;
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(InitialBlock()) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    google::protobuf::ArenaOptions InitialBlock() {
      google::protobuf::ArenaOptions options;
      options.initial_block = block_;
      options.initial_block_size = sizeof(block_);
      return options;
    }

    alignas(std::max_align_t) char block_[kInitialBlockBytes];
    google::protobuf::Arena arena_;
  };
};

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_ARENA_MESSAGES_H_
