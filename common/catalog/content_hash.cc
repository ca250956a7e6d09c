// Content hash of catalog entries; see content_hash.h.
#include "common/catalog/content_hash.h"

#include <memory>
#include <string>

#include "common/auth/crypto.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace homeward::catalog {

std::string ContentSha256(
    const google::protobuf::Message& entry,
    std::initializer_list<absl::string_view> output_only) {
  std::unique_ptr<google::protobuf::Message> content(entry.New());
  content->CopyFrom(entry);
  const google::protobuf::Descriptor* type = content->GetDescriptor();
  const google::protobuf::Reflection* reflection = content->GetReflection();
  for (absl::string_view name : output_only) {
    const google::protobuf::FieldDescriptor* field =
        type->FindFieldByName(std::string(name));
    if (field != nullptr) reflection->ClearField(content.get(), field);
  }
  content->DiscardUnknownFields();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    // Map fields have no defined order on the wire unless asked for.
    coded.SetSerializationDeterministic(true);
    content->SerializeToCodedStream(&coded);
  }
  return crypto::Sha256Hex(bytes);
}

}  // namespace homeward::catalog
