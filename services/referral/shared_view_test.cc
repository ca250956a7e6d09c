// The partner's view holds only what referral.proto shares. Both messages'
// descriptors are walked, so that a field added to Referral or to
// SharedReferral later fails here until it is classified below.
#include "services/referral/shared_view.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace homeward::referral {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using ::testing::HasSubstr;
using ::testing::Not;

// Referral fields the partner sees (under the same name in SharedReferral).
const std::set<std::string> kShared = {"referral_id",
                                       "case_id",
                                       "service_id",
                                       "organization_id",
                                       "purpose",
                                       "urgency",
                                       "expected_response_date",
                                       "expected_completion_date",
                                       "summary",
                                       "status",
                                       "performer_id",
                                       "consent_withdrawn",
                                       "status_reason",
                                       "outcome",
                                       "history",
                                       "etag",
                                       "create_time",
                                       "update_time"};
// Referral fields the partner never sees. (decline_reason is the
// partner's own answer: SharedReferral has no field for it, but the
// partner reads it in the REJECTED history entry.)
const std::set<std::string> kRestricted = {
    "activity",      "need_id",         "concern_id",
    "consent",       "office_id",       "requested_by",
    "response_time", "completion_time", "decline_reason"};

// Sets every field of `message` (recursively, one element per repeated
// field) to a value naming its path, so that a leak is recognisable.
void Fill(Message* message, const std::string& path, int depth) {
  const auto* descriptor = message->GetDescriptor();
  const auto* reflection = message->GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* f = descriptor->field(i);
    const std::string name = absl::StrCat(path, f->name());
    const std::string marker = absl::StrCat("MARK-", name);
    if (f->is_repeated()) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          reflection->AddString(message, f, marker);
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth < 4) {
            Fill(reflection->AddMessage(message, f), name + ".", depth + 1);
          }
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          reflection->AddEnumValue(message, f, 1);
          break;
        default:
          break;
      }
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(message, f, marker);
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) {
          Fill(reflection->MutableMessage(message, f), name + ".", depth + 1);
        }
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnumValue(message, f, 1);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(message, f, true);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(message, f, 1990);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(message, f, 1234567);
        break;
      default:
        break;
    }
  }
}

TEST(SharedViewTest, EveryReferralFieldIsClassified) {
  const auto* d = v1::Referral::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const std::string name = d->field(i)->name();
    EXPECT_TRUE(kShared.count(name) + kRestricted.count(name) == 1)
        << "Referral." << name
        << " is new: decide whether the partner sees it (kShared) or not "
           "(kRestricted)";
  }
}

TEST(SharedViewTest, SharedReferralHoldsOnlySharedFields) {
  const auto* d = v1::SharedReferral::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    EXPECT_EQ(kShared.count(d->field(i)->name()), 1u)
        << "SharedReferral." << d->field(i)->name()
        << " is not a field the partner may see";
  }
  for (const std::string& name : kShared) {
    EXPECT_NE(d->FindFieldByName(name), nullptr) << name;
  }
}

// For each choice of the link oneof: no restricted value anywhere in the
// view, and every shared field as the referral holds it.
TEST(SharedViewTest, NoRestrictedFieldLeaksAndSharedFieldsAreCopied) {
  for (const std::string link : {"activity", "need_id", "concern_id"}) {
    SCOPED_TRACE(link);
    v1::Referral referral;
    Fill(&referral, "", 0);
    referral.set_consent_withdrawn(false);
    // Fill set every member of the oneof in turn: set the one under test.
    const auto* field = v1::Referral::descriptor()->FindFieldByName(link);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      referral.GetReflection()->SetString(&referral, field,
                                          absl::StrCat("MARK-", link));
    } else {
      Fill(referral.GetReflection()->MutableMessage(&referral, field),
           link + ".", 1);
    }
    // One history entry per side.
    referral.mutable_history(0)->set_side(v1::REFERRAL_SIDE_REQUESTER);
    auto* performer = referral.add_history();
    *performer = referral.history(0);
    performer->set_side(v1::REFERRAL_SIDE_PERFORMER);
    performer->set_user_id("MARK-performer-user");

    const v1::SharedReferral shared = SharedViewOf(referral);
    const std::string text = shared.DebugString();
    for (const std::string& name : kRestricted) {
      EXPECT_THAT(text, Not(HasSubstr(absl::StrCat("MARK-", name))))
          << "restricted field " << name << " leaks";
    }
    // The requester's user id is the programme's staff.
    EXPECT_THAT(text, Not(HasSubstr("MARK-history.user_id")));
    EXPECT_THAT(text, HasSubstr("MARK-performer-user"));

    const auto* sd = v1::SharedReferral::descriptor();
    for (const std::string& name : kShared) {
      const FieldDescriptor* from =
          v1::Referral::descriptor()->FindFieldByName(name);
      const FieldDescriptor* to = sd->FindFieldByName(name);
      ASSERT_NE(to, nullptr);
      if (name == "history") continue;  // checked below
      const auto* rr = referral.GetReflection();
      const auto* sr = shared.GetReflection();
      switch (from->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          EXPECT_EQ(sr->GetString(shared, to), rr->GetString(referral, from))
              << name;
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          EXPECT_EQ(sr->GetEnumValue(shared, to),
                    rr->GetEnumValue(referral, from))
              << name;
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          EXPECT_EQ(sr->GetBool(shared, to), rr->GetBool(referral, from))
              << name;
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          EXPECT_EQ(sr->GetMessage(shared, to).SerializeAsString(),
                    rr->GetMessage(referral, from).SerializeAsString())
              << name;
          break;
        default:
          ADD_FAILURE() << "unchecked type of " << name;
      }
    }
    ASSERT_EQ(shared.history_size(), 2);
    EXPECT_EQ(shared.history(0).user_id(), "");
    EXPECT_EQ(shared.history(0).reason(), referral.history(0).reason());
    EXPECT_EQ(shared.history(0).status(), referral.history(0).status());
    EXPECT_EQ(shared.history(1).user_id(), "MARK-performer-user");
  }
}

TEST(SharedViewTest, WithdrawnConsentHidesTheSummary) {
  v1::Referral referral;
  Fill(&referral, "", 0);
  referral.set_consent_withdrawn(true);
  const v1::SharedReferral shared = SharedViewOf(referral);
  EXPECT_TRUE(shared.consent_withdrawn());
  EXPECT_FALSE(shared.has_summary());
  EXPECT_THAT(shared.DebugString(), Not(HasSubstr("MARK-summary")));
  // The rest still shows: the partner learns the referral was withdrawn.
  EXPECT_EQ(shared.referral_id(), referral.referral_id());
  EXPECT_EQ(shared.status(), referral.status());
}

// The in-place writer (the inbox's, into an answer on the call's arena)
// writes exactly the view SharedViewOf returns.
TEST(SharedViewTest, WriteSharedViewInPlaceIsTheSameView) {
  for (const bool withdrawn : {false, true}) {
    v1::Referral referral;
    Fill(&referral, "", 0);
    referral.set_consent_withdrawn(withdrawn);
    auto* performer = referral.add_history();
    *performer = referral.history(0);
    performer->set_side(v1::REFERRAL_SIDE_PERFORMER);
    google::protobuf::Arena arena;
    auto* list =
        google::protobuf::Arena::CreateMessage<v1::ListInboxResponse>(&arena);
    WriteSharedView(referral, list->add_referrals());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        list->referrals(0), SharedViewOf(referral)))
        << "withdrawn " << withdrawn;
  }
}

}  // namespace
}  // namespace homeward::referral
