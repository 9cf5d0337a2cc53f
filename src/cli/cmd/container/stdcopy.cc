#include "cli/cmd/container/stdcopy.h"

#include <cstdint>

namespace berth::cli {

Status StdDemux::Feed(std::string_view data) {
  buf_.append(data);
  size_t pos = 0;
  while (buf_.size() - pos >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos);
    uint32_t size = (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
    if (buf_.size() - pos - 8 < size) break;
    std::string_view payload(buf_.data() + pos + 8, size);
    switch (h[0]) {
      case 0:
      case 1:
        BERTH_TRY(out_(payload));
        break;
      case 2:
        BERTH_TRY(err_(payload));
        break;
      case 3:
        return Error(Code::kInternal, std::string(payload));
      default:
        return Error(Code::kInternal,
                     "Unrecognized input header: " + std::to_string(static_cast<int>(h[0])));
    }
    pos += 8 + size;
  }
  buf_.erase(0, pos);
  return Ok();
}

}  // namespace berth::cli
