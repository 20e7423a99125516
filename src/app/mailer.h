// Outgoing e-mail. Every message is first stored in the outbox table (the operator reads it with
// `palettemaker outbox` or GET /api/v1/admin/outbox). With mail.smtp_url set it is then delivered
// by SMTP (libcurl; STARTTLS required with smtp:// unless mail.starttls is false; smtps:// is TLS
// throughout; AUTH with mail.username/mail.password) and the outcome recorded (sent_at, or error).
// Without SMTP the message, link included, is written to the server log at info level.
//
// Thread-safe; Send blocks for the SMTP exchange (connect 10 s, whole exchange 30 s at most), so
// callers on a request path run it in the background (app/background.h).
#pragma once

#include <string>
#include <string_view>

#include "app/services.h"
#include "common/result.h"
#include "store/records.h"

namespace pm::app {

class Mailer {
 public:
  explicit Mailer(Services services) : s_(services) {}

  // kUnavailable when the outbox row cannot be stored. An SMTP failure is not an error here: it
  // is logged and recorded on the outbox row (error), which is returned.
  Result<store::OutboxMessage> Send(std::string_view recipient, std::string_view subject,
                                    std::string_view body);

 private:
  Services s_;
};

// The message as sent over SMTP: headers (Date, From, To, Subject, Message-ID, MIME) and the body
// with CRLF line ends. `recipient` and `subject` must hold no CR or LF (kInvalidArgument).
Result<std::string> FormatMessage(std::string_view from, std::string_view recipient,
                                  std::string_view subject, std::string_view body, int64_t now_ms);

}  // namespace pm::app
