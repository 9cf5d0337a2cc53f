// Error values for every berth module.
//
// Vocabulary: an Error is a category (Code), the errno that caused it (0 when
// none) and a human message that reads as a chain of contexts, outermost
// first: "create rootfs: mount overlay on /x: Invalid argument". Functions
// that can fail return Result<T> (or Status, which is Result<void>); no
// exceptions cross module boundaries.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace berth {

enum class Code {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kConflict,
  kPermissionDenied,
  kUnauthorized,
  kUnavailable,
  kNotImplemented,
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Error {
 public:
  Error(Code code, std::string message, int err = 0)
      : code_(code), errno_(err), message_(std::move(message)) {}

  // A failed system call: "what: strerror(err)", categorised from err.
  static Error Sys(const std::string& what, int err = errno);
  static Error Invalid(std::string message) {
    return Error(Code::kInvalidArgument, std::move(message));
  }
  static Error NotFound(std::string message) {
    return Error(Code::kNotFound, std::move(message));
  }
  static Error Internal(std::string message) {
    return Error(Code::kInternal, std::move(message));
  }

  Code code() const { return code_; }
  int err() const { return errno_; }
  const std::string& message() const { return message_; }

  // Prepends "context: " to the message.
  Error&& Context(const std::string& context) && {
    message_ = context + ": " + message_;
    return std::move(*this);
  }
  Error& Context(const std::string& context) & {
    message_ = context + ": " + message_;
    return *this;
  }

 private:
  Code code_;
  int errno_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  // Adds context to the error, if any.
  Result Context(const std::string& context) && {
    if (!ok()) std::get<1>(v_).Context(context);
    return std::move(*this);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }
  Result Context(const std::string& context) && {
    if (!ok_) error_.Context(context);
    return std::move(*this);
  }

 private:
  Error error_{Code::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace berth

// BERTH_TRY(expr): evaluates a Result; on error returns the error from the
// enclosing function, otherwise yields the value (GNU statement expression).
#define BERTH_TRY(expr)                                        \
  ({                                                           \
    auto&& berth_try_result_ = (expr);                         \
    if (!berth_try_result_.ok())                               \
      return std::move(berth_try_result_).error();             \
    std::move(berth_try_result_).value();                      \
  })

// BERTH_TRY_CTX(expr, context): as BERTH_TRY, prepending context on error.
#define BERTH_TRY_CTX(expr, context)                           \
  ({                                                           \
    auto&& berth_try_result_ = (expr);                         \
    if (!berth_try_result_.ok())                               \
      return std::move(berth_try_result_).error().Context(context); \
    std::move(berth_try_result_).value();                      \
  })
