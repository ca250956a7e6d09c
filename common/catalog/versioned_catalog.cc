// The versioned catalog over untyped messages; see versioned_catalog.h.
#include "common/catalog/versioned_catalog.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/catalog/content_hash.h"
#include "common/status/errors.h"
#include "common/storage/clock.h"
#include "common/storage/partitions.h"
#include "common/storage/write_set.h"
#include "google/protobuf/timestamp.pb.h"

namespace homeward::catalog {

std::string IdentityOf(const google::protobuf::Message& entry,
                       const CatalogSchema& schema) {
  const std::string& noun = schema.noun.empty() ? schema.kind : schema.noun;
  const google::protobuf::Descriptor* type = entry.GetDescriptor();
  const google::protobuf::FieldDescriptor* id =
      type->FindFieldByName(schema.id_field);
  const google::protobuf::FieldDescriptor* version =
      type->FindFieldByName(schema.version_field);
  if (id == nullptr || id->is_repeated() ||
      id->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING ||
      version == nullptr || version->is_repeated() ||
      version->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT32) {
    return noun;
  }
  const google::protobuf::Reflection* r = entry.GetReflection();
  return absl::StrCat(noun, " '", r->GetString(entry, id), "' version ",
                      r->GetInt32(entry, version));
}

namespace internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr uint32_t kPartition = storage::kConfigurationPartition;

// Zero-padded so that the versions of one id sort numerically.
std::string VersionKey(absl::string_view id, int32_t version) {
  return absl::StrFormat("%s@%010d", id, version);
}

// The field `name` of `type` if it has the C++ type `cpp_type` (and, for a
// message field, the message type `message_type`); else records why not in
// `status` and returns null.
const FieldDescriptor* ResolveField(const google::protobuf::Descriptor* type,
                                    const std::string& name,
                                    FieldDescriptor::CppType cpp_type,
                                    absl::string_view expected,
                                    absl::Status& status) {
  const FieldDescriptor* field = type->FindFieldByName(name);
  if (field != nullptr && !field->is_repeated() &&
      field->cpp_type() == cpp_type &&
      (cpp_type != FieldDescriptor::CPPTYPE_MESSAGE ||
       field->message_type()->full_name() == expected)) {
    return field;
  }
  if (status.ok()) {
    status = errors::Internal(
        absl::StrCat("catalog schema: ", type->full_name(), " has no singular ",
                     expected, " field '", name, "'"));
  }
  return nullptr;
}

}  // namespace

UntypedCatalog::UntypedCatalog(storage::Store* store,
                               const google::protobuf::Descriptor* type,
                               CatalogSchema schema)
    : store_(store),
      schema_(std::move(schema)),
      latest_kind_(absl::StrCat(schema_.kind, "_latest")),
      index_(absl::StrCat(schema_.kind, "_by_", schema_.index_field)) {
  if (schema_.noun.empty()) schema_.noun = schema_.kind;
  if (schema_.kind.empty()) {
    schema_status_ = errors::Internal("catalog schema: kind is required");
  }
  id_ = ResolveField(type, schema_.id_field, FieldDescriptor::CPPTYPE_STRING,
                     "string", schema_status_);
  version_ =
      ResolveField(type, schema_.version_field, FieldDescriptor::CPPTYPE_INT32,
                   "int32", schema_status_);
  content_hash_ =
      ResolveField(type, schema_.content_hash_field,
                   FieldDescriptor::CPPTYPE_STRING, "string", schema_status_);
  publish_time_ = ResolveField(
      type, schema_.publish_time_field, FieldDescriptor::CPPTYPE_MESSAGE,
      google::protobuf::Timestamp::descriptor()->full_name(), schema_status_);
  if (!schema_.index_field.empty()) {
    index_field_ = type->FindFieldByName(schema_.index_field);
    const bool indexable =
        index_field_ != nullptr && !index_field_->is_repeated() &&
        index_field_->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE &&
        index_field_->cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE &&
        index_field_->cpp_type() != FieldDescriptor::CPPTYPE_FLOAT &&
        index_field_->cpp_type() != FieldDescriptor::CPPTYPE_BOOL;
    if (!indexable && schema_status_.ok()) {
      schema_status_ = errors::Internal(
          absl::StrCat("catalog schema: ", type->full_name(),
                       " has no singular enum, integer or string field '",
                       schema_.index_field, "'"));
    }
  }
}

std::string UntypedCatalog::IdOf(const Message& entry) const {
  return entry.GetReflection()->GetString(entry, id_);
}

int32_t UntypedCatalog::VersionOf(const Message& entry) const {
  return entry.GetReflection()->GetInt32(entry, version_);
}

std::string UntypedCatalog::IndexValueOf(const Message& entry) const {
  const google::protobuf::Reflection* r = entry.GetReflection();
  switch (index_field_->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      return absl::StrCat(r->GetEnumValue(entry, index_field_));
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(entry, index_field_));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(entry, index_field_));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(r->GetUInt32(entry, index_field_));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(r->GetUInt64(entry, index_field_));
    default:  // CPPTYPE_STRING: the constructor admits nothing else
      return r->GetString(entry, index_field_);
  }
}

std::string UntypedCatalog::ContentHash(const Message& entry) const {
  return ContentSha256(
      entry, {schema_.content_hash_field, schema_.publish_time_field});
}

absl::Status UntypedCatalog::Publish(const service::Actor& actor,
                                     Message& entry) {
  RETURN_IF_ERROR(schema_status_);
  const std::string id = IdOf(entry);
  const int32_t version = VersionOf(entry);
  errors::FieldViolations bad;
  if (id.empty()) bad.Add(schema_.id_field, "is required");
  if (version < 1) bad.Add(schema_.version_field, "must be 1 or more");
  RETURN_IF_ERROR(bad.ToStatus());

  const google::protobuf::Reflection* reflection = entry.GetReflection();
  reflection->ClearField(&entry, publish_time_);
  reflection->SetString(&entry, content_hash_, ContentHash(entry));
  const std::string key = VersionKey(id, version);

  std::unique_ptr<Message> existing(entry.New());
  absl::Status found = Get(id, version, existing.get());
  if (found.ok()) {
    if (reflection->GetString(*existing, content_hash_) ==
        reflection->GetString(entry, content_hash_)) {
      entry.CopyFrom(*existing);
      return absl::OkStatus();
    }
    return errors::AlreadyExists(
        absl::StrCat(schema_.noun, " version"),
        absl::StrCat(
            id, "@", version,
            " with other content: published versions never change, so publish "
            "the change as a new version"));
  }
  if (found.code() != absl::StatusCode::kNotFound) return found;

  std::unique_ptr<Message> latest(entry.New());
  uint64_t latest_version = 0;
  ASSIGN_OR_RETURN(bool has_latest,
                   store_->GetRecord(kPartition, latest_kind_, id, latest.get(),
                                     &latest_version));
  reflection->MutableMessage(&entry, publish_time_)
      ->CopyFrom(storage::NowTimestamp());

  storage::WriteSet set;
  // Record version 0 "must not exist": two concurrent publishers of the same
  // version cannot both win.
  set.ExpectVersion(kPartition, schema_.kind, key, 0)
      .PutRecord(kPartition, schema_.kind, key, 1, entry)
      .Audit(service::AuditEntryFor(actor, key));
  if (index_field_ != nullptr) {
    set.PutIndex(kPartition, index_, IndexValueOf(entry), key);
  }
  // Publishing an older version after a newer one keeps "latest" pointing at
  // the highest version number. The pointer is an entry holding only its
  // version, so that it is read with the entry's own type.
  if (!has_latest || VersionOf(*latest) < version) {
    std::unique_ptr<Message> pointer(entry.New());
    pointer->GetReflection()->SetInt32(pointer.get(), version_, version);
    set.ExpectVersion(kPartition, latest_kind_, id,
                      has_latest ? latest_version : 0)
        .PutRecord(kPartition, latest_kind_, id, latest_version + 1, *pointer);
  }
  return store_->Commit(std::move(set)).status();
}

absl::Status UntypedCatalog::Get(absl::string_view id, int32_t version,
                                 Message* out) const {
  RETURN_IF_ERROR(schema_status_);
  if (version == 0) {
    std::unique_ptr<Message> pointer(out->New());
    ASSIGN_OR_RETURN(bool found, store_->GetRecord(kPartition, latest_kind_, id,
                                                   pointer.get(), nullptr));
    if (!found) return errors::NotFound(schema_.noun, id);
    version = VersionOf(*pointer);
  }
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(kPartition, schema_.kind,
                                     VersionKey(id, version), out, nullptr));
  if (!found) {
    return errors::NotFound(absl::StrCat(schema_.noun, " version"),
                            absl::StrCat(id, "@", version));
  }
  return absl::OkStatus();
}

absl::StatusOr<storage::IndexPage> UntypedCatalog::ListIds(
    bool filtered, absl::string_view where, int page_size,
    absl::string_view page_token) const {
  RETURN_IF_ERROR(schema_status_);
  const std::vector<uint32_t> partitions = {kPartition};
  if (!filtered) {
    return store_->ListRecordIds(partitions, schema_.kind, page_size,
                                 page_token);
  }
  if (index_field_ == nullptr) {
    return errors::Internal(absl::StrCat("catalog schema: ", schema_.kind,
                                         " has no index field to list by"));
  }
  return store_->ListIndex(partitions, index_, where, page_size, page_token);
}

}  // namespace internal
}  // namespace homeward::catalog
