#include "base/stdcopy.h"

#include <cstdint>

namespace berth {

Status StdDemux::Feed(std::string_view data) {
  // Whole frames are taken from data where they are; only a frame cut at
  // the end of a piece is copied, to be completed by the next.
  std::string_view in = data;
  if (!buf_.empty()) {
    buf_.append(data);
    in = buf_;
  }
  size_t pos = 0;
  Status st = Ok();
  while (in.size() - pos >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(in.data() + pos);
    uint32_t size = (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
    if (in.size() - pos - 8 < size) break;
    std::string_view payload(in.data() + pos + 8, size);
    switch (h[0]) {
      case 0:
      case 1:
        st = out_(payload);
        break;
      case 2:
        st = err_(payload);
        break;
      case 3:
        st = Error(Code::kInternal, std::string(payload));
        break;
      default:
        st = Error(Code::kInternal,
                   "Unrecognized input header: " + std::to_string(static_cast<int>(h[0])));
    }
    if (!st.ok()) return st;
    pos += 8 + size;
  }
  if (buf_.empty())
    buf_.assign(in.substr(pos));
  else
    buf_.erase(0, pos);
  return Ok();
}

}  // namespace berth
