// Random bytes from the kernel (getrandom(2)) and the identifiers made of
// them: container and volume IDs, upload IDs, temporary names.
#pragma once

#include <cstddef>
#include <string>

namespace berth::rnd {

// Fills buf with n random bytes. Retries short reads and EINTR; getrandom
// cannot otherwise fail for a valid buffer, so there is no error to return.
void Fill(void* buf, size_t n);

// n random bytes as 2n lowercase hex digits (Hex(32): a 64-hex ID).
std::string Hex(size_t n);

// A random (version 4) UUID: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string Uuid();

}  // namespace berth::rnd
