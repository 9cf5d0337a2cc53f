// The error a daemon's JSON progress stream carries in-stream: Docker's
// jsonmessage writes {"errorDetail":{"code":N,"message":"..."},"error":"..."}
// in place of a progress line once the operation has failed.
#pragma once

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::client {

// Ok when m is an ordinary message. Otherwise the failure it reports, as
// kInternal with errorDetail.message (or the legacy "error" string when the
// detail has no string message); *code, when given, receives errorDetail.code
// (0 when absent). Never throws, whatever the types of the fields.
Status JsonMessageError(const nlohmann::json& m, int* code = nullptr);

}  // namespace berth::client
