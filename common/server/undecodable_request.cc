// Rewriting gRPC's status for undecodable requests; see undecodable_request.h.
#include "common/server/undecodable_request.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/interceptor.h"

namespace homeward::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The full name of `method`'s request message, or "" for a method the
// process has no descriptor for.
std::string RequestTypeOf(absl::string_view method) {
  // "/pkg.Service/Method" -> "pkg.Service.Method"
  if (absl::ConsumePrefix(&method, "/")) {
    const std::string dotted = absl::StrReplaceAll(method, {{"/", "."}});
    const google::protobuf::MethodDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            dotted);
    if (descriptor != nullptr) return descriptor->input_type()->full_name();
  }
  return "";
}

// "CaseService/GetCase" for "/homeward.v1.CaseService/GetCase", as
// server::Finish names methods in its log lines.
std::string ShortMethodName(absl::string_view method) {
  const size_t slash = method.rfind('/');
  const size_t dot = method.rfind('.', slash);
  return std::string(dot == absl::string_view::npos ||
                             slash == absl::string_view::npos
                         ? method
                         : method.substr(dot + 1));
}

// One per call. Looks up nothing on the normal path: the request type is
// found only when a call is refused.
class UndecodableRequestInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit UndecodableRequestInterceptor(
      grpc::experimental::ServerRpcInfo* info)
      : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* batch) override {
    // For unary and server-streaming methods the only received message is
    // the request decoded before the handler; none means decoding failed.
    if (batch->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        batch->GetRecvMessage() == nullptr) {
      undecodable_ = true;
    }
    if (undecodable_ && batch->QueryInterceptionHookPoint(
                            InterceptionHookPoints::PRE_SEND_STATUS)) {
      // The codes gRPC itself answers a failed decode with; anything else
      // (RESOURCE_EXHAUSTED when the server is out of threads, say) stays.
      const grpc::StatusCode code = batch->GetSendStatus().error_code();
      if (code == grpc::StatusCode::INTERNAL ||
          code == grpc::StatusCode::UNIMPLEMENTED) {
        const absl::Status refusal = UndecodableRequestError(info_->method());
        Log("warn", "rpc",
            {{"method", ShortMethodName(info_->method())},
             {"request_id", RequestIdOf(*info_->server_context())},
             {"code", absl::StatusCodeToString(refusal.code())},
             {"reason", "undecodable request"}});
        batch->ModifySendStatus(ToGrpcStatus(refusal));
      }
    }
    batch->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  bool undecodable_ = false;
};

class UndecodableRequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // Streaming requests are read by the handler, which sees a failed read
    // itself; an end of stream also arrives as "no message" there.
    switch (info->type()) {
      case grpc::experimental::ServerRpcInfo::Type::UNARY:
      case grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING:
        return new UndecodableRequestInterceptor(info);
      default:
        return nullptr;
    }
  }
};

}  // namespace

std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
UndecodableRequestInterceptors() {
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      factories;
  factories.push_back(std::make_unique<UndecodableRequestInterceptorFactory>());
  return factories;
}

absl::Status UndecodableRequestError(absl::string_view method) {
  const std::string type = RequestTypeOf(method);
  return errors::InvalidField(
      "body",
      absl::StrCat("the request to ", method, " is not a valid ",
                   type.empty() ? "request" : type,
                   " message (protobuf binary encoding, strings in UTF-8)"));
}

}  // namespace homeward::server
