// The names an RpcMethod yields: the full name for actors and the audit
// trail, the short one for request log lines (as server::Finish has always
// logged them, e.g. "ConsentService/RecordConsent").
#include "common/service/rpc_method.h"

#include "gtest/gtest.h"

namespace homeward::service {
namespace {

TEST(RpcMethodTest, LogNameDropsThePackage) {
  constexpr RpcMethod kRecordConsent{
      "homeward.v1.ConsentService/RecordConsent"};
  EXPECT_EQ(kRecordConsent.full_name(),
            "homeward.v1.ConsentService/RecordConsent");
  EXPECT_EQ(kRecordConsent.log_name(), "ConsentService/RecordConsent");
}

TEST(RpcMethodTest, LogNameOfAMethodWithoutPackageIsTheFullName) {
  EXPECT_EQ(RpcMethod("Echo/Ping").log_name(), "Echo/Ping");
}

}  // namespace
}  // namespace homeward::service
