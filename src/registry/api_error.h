// Errors as the OCI Distribution Spec lists them: a code ("BLOB_UNKNOWN"),
// the HTTP status that carries it and a message, sent as
// {"errors":[{"code":...,"message":...,"detail":...}]}.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "http/handler.h"

namespace berth::registry {

struct ApiError {
  std::string code;  // "BLOB_UNKNOWN"
  int status = 400;
  std::string message;
  std::string detail;  // optional, sent as a JSON string
};

// The spec's codes with their usual status and message.
ApiError BlobUnknown(std::string detail = "");
ApiError BlobUploadInvalid(std::string detail = "");
ApiError BlobUploadUnknown(std::string detail = "");
ApiError DigestInvalid(std::string detail = "");
ApiError ManifestBlobUnknown(std::string detail = "");
ApiError ManifestInvalid(std::string detail = "");
ApiError ManifestUnknown(std::string detail = "");
ApiError NameInvalid(std::string detail = "");
ApiError NameUnknown(std::string detail = "");
ApiError SizeInvalid(std::string detail = "");
ApiError Unauthorized(std::string detail = "");
ApiError Denied(std::string detail = "");
ApiError Unsupported(std::string detail = "");
ApiError RangeInvalid(std::string detail = "");
ApiError PaginationInvalid(std::string detail = "");
// An internal failure (500, code UNKNOWN) carrying the error's message.
ApiError Internal(const Error& error);

// The JSON body for e.
std::string ErrorJson(const ApiError& e);
// Sends e (the writer's headers, e.g. WWW-Authenticate, go with it).
Status Reply(http::ResponseWriter& w, const ApiError& e);

}  // namespace berth::registry
