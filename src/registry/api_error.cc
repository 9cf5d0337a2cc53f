#include "registry/api_error.h"

#include <nlohmann/json.hpp>

namespace berth::registry {
namespace {

ApiError Make(const char* code, int status, const char* message, std::string detail) {
  return ApiError{code, status, message, std::move(detail)};
}

}  // namespace

ApiError BlobUnknown(std::string d) {
  return Make("BLOB_UNKNOWN", 404, "blob unknown to registry", std::move(d));
}
ApiError BlobUploadInvalid(std::string d) {
  return Make("BLOB_UPLOAD_INVALID", 400, "blob upload invalid", std::move(d));
}
ApiError BlobUploadUnknown(std::string d) {
  return Make("BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry", std::move(d));
}
ApiError DigestInvalid(std::string d) {
  return Make("DIGEST_INVALID", 400, "provided digest did not match uploaded content",
              std::move(d));
}
ApiError ManifestBlobUnknown(std::string d) {
  return Make("MANIFEST_BLOB_UNKNOWN", 400, "manifest references a manifest or blob unknown to registry",
              std::move(d));
}
ApiError ManifestInvalid(std::string d) {
  return Make("MANIFEST_INVALID", 400, "manifest invalid", std::move(d));
}
ApiError ManifestUnknown(std::string d) {
  return Make("MANIFEST_UNKNOWN", 404, "manifest unknown", std::move(d));
}
ApiError NameInvalid(std::string d) {
  return Make("NAME_INVALID", 400, "invalid repository name", std::move(d));
}
ApiError NameUnknown(std::string d) {
  return Make("NAME_UNKNOWN", 404, "repository name not known to registry", std::move(d));
}
ApiError SizeInvalid(std::string d) {
  return Make("SIZE_INVALID", 400, "provided length did not match content length", std::move(d));
}
ApiError Unauthorized(std::string d) {
  return Make("UNAUTHORIZED", 401, "authentication required", std::move(d));
}
ApiError Denied(std::string d) {
  return Make("DENIED", 403, "requested access to the resource is denied", std::move(d));
}
ApiError Unsupported(std::string d) {
  return Make("UNSUPPORTED", 405, "the operation is unsupported", std::move(d));
}
ApiError RangeInvalid(std::string d) {
  return Make("BLOB_UPLOAD_INVALID", 416, "invalid content range", std::move(d));
}
ApiError PaginationInvalid(std::string d) {
  return Make("PAGINATION_NUMBER_INVALID", 400, "invalid number of results requested",
              std::move(d));
}
ApiError Internal(const Error& error) {
  return ApiError{"UNKNOWN", 500, "unknown error", error.message()};
}

std::string ErrorJson(const ApiError& e) {
  nlohmann::json item = {{"code", e.code}, {"message", e.message}};
  if (!e.detail.empty()) item["detail"] = e.detail;
  nlohmann::json body = {{"errors", nlohmann::json::array({item})}};
  return body.dump() + "\n";
}

Status Reply(http::ResponseWriter& w, const ApiError& e) {
  return w.Send(e.status, ErrorJson(e), "application/json; charset=utf-8");
}

}  // namespace berth::registry
