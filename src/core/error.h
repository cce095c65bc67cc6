// Error values returned at boundaries and on hot paths, with messages a user can act on.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace khien {

/// A failure that a user can act on: what went wrong, and where when that is known.
struct Error {
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

/// Builds an unexpected Error from a message.
inline tl::unexpected<Error> fail(std::string message) { return tl::unexpected<Error>(Error{std::move(message)}); }

}  // namespace khien
