#include "base/error.h"

#include <cstring>

namespace berth {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kAlreadyExists: return "already exists";
    case Code::kConflict: return "conflict";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kUnauthorized: return "unauthorized";
    case Code::kUnavailable: return "unavailable";
    case Code::kNotImplemented: return "not implemented";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

Error Error::Sys(const std::string& what, int err) {
  Code code = Code::kInternal;
  switch (err) {
    case ENOENT: case ESRCH: code = Code::kNotFound; break;
    case EEXIST: code = Code::kAlreadyExists; break;
    case EACCES: case EPERM: case EROFS: code = Code::kPermissionDenied; break;
    case EINVAL: case ENOTDIR: case EISDIR: case ENAMETOOLONG: case ELOOP:
      code = Code::kInvalidArgument; break;
    case EBUSY: code = Code::kConflict; break;
    case ENOSYS: case EOPNOTSUPP: code = Code::kNotImplemented; break;
    case EAGAIN: case ECONNREFUSED: code = Code::kUnavailable; break;
    default: break;
  }
  return Error(code, what + ": " + std::strerror(err), err);
}

}  // namespace berth
