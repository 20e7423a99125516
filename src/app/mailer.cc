#include "app/mailer.h"

#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <mutex>

#include "common/crypto.h"
#include "common/log.h"

namespace pm::app {
namespace {

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadPayload(char* out, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t room = size * n;
  size_t left = up->data.size() - up->offset;
  size_t take = std::min(room, left);
  std::memcpy(out, up->data.data() + up->offset, take);
  up->offset += take;
  return take;
}

// Sends `message` to `recipient` through mail.smtp_url. Returns curl's error text on failure.
Status SendSmtp(const config::MailConfig& mail, std::string_view recipient, std::string_view message) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl) return MakeError(ErrorCode::kUnavailable, "smtp: curl_easy_init failed");
  std::string from = "<" + mail.from + ">";
  std::string to = "<" + std::string(recipient) + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  Upload up{message, 0};
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, mail.smtp_url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadPayload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  if (mail.smtp_url.rfind("smtp://", 0) == 0) {
    curl_easy_setopt(curl, CURLOPT_USE_SSL, mail.starttls ? static_cast<long>(CURLUSESSL_ALL)
                                                          : static_cast<long>(CURLUSESSL_NONE));
  }
  if (!mail.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, mail.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, mail.password.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     std::string("smtp: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  }
  return Status::Ok();
}

std::string RfcDate(int64_t now_ms) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace

Result<std::string> FormatMessage(std::string_view from, std::string_view recipient,
                                  std::string_view subject, std::string_view body, int64_t now_ms) {
  for (std::string_view v : {from, recipient, subject}) {
    if (v.find_first_of("\r\n") != std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "mail header values must be one line");
    }
  }
  std::string domain(from.substr(from.find('@') + 1));
  std::string out;
  out += "Date: " + RfcDate(now_ms) + "\r\n";
  out += "From: <" + std::string(from) + ">\r\n";
  out += "To: <" + std::string(recipient) + ">\r\n";
  out += "Subject: " + std::string(subject) + "\r\n";
  out += "Message-ID: <" + RandomToken(16) + "@" + domain + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) out += '\r';
    out += body[i];
  }
  if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  return out;
}

Result<store::OutboxMessage> Mailer::Send(std::string_view recipient, std::string_view subject,
                                          std::string_view body) {
  const config::MailConfig& mail = s_.config->mail;
  store::OutboxMessage m;
  m.recipient = std::string(recipient);
  m.subject = std::string(subject);
  m.body = std::string(body);
  m.created_at = s_.clock->NowMillis();
  PM_ASSIGN_OR_RETURN(m, s_.store->AppendOutbox(m));
  if (mail.smtp_url.empty()) {
    log::Info("e-mail not sent (no mail.smtp_url): kept in the outbox",
              {{"outbox_id", static_cast<long long>(m.id)}, {"to", m.recipient}, {"subject", m.subject},
               {"body", m.body}});
    return m;
  }
  auto formatted = FormatMessage(mail.from, recipient, subject, body, m.created_at);
  Status sent = formatted.ok() ? SendSmtp(mail, recipient, formatted.value()) : Status(formatted.error());
  if (sent.ok()) {
    m.sent_at = s_.clock->NowMillis();
    m.error.clear();
    log::Info("e-mail sent", {{"outbox_id", static_cast<long long>(m.id)}, {"subject", m.subject}});
  } else {
    m.error = sent.error().message;
    log::Warn("e-mail not delivered", {{"outbox_id", static_cast<long long>(m.id)}, {"error", m.error}});
  }
  Status marked = s_.store->MarkOutboxSent(m.id, m.sent_at, m.error);
  if (!marked.ok()) log::Warn("could not record e-mail delivery", {{"error", marked.error().message}});
  return m;
}

}  // namespace pm::app
