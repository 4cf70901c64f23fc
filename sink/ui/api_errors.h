// What a failed request answers: a status and a JSON message, never SQL or a stack trace.
#pragma once

#include <exception>

#include "ui/api.h"

namespace pgtrail::ui {

/// The reply for the exception a handler threw (BadRequest, PgError, anything else).
Reply error_reply(std::exception_ptr error);

}  // namespace pgtrail::ui
