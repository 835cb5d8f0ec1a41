"""An e-mail backend for benchmarks: each message is built and serialised to
bytes exactly as the SMTP backend would before handing it to a server, then
dropped. Django's locmem backend deep-copies every message into a list (a
cost production never pays) and the dummy backend skips building them (a cost
production always pays); this one measures what the portal itself does."""

from django.core.mail.backends.base import BaseEmailBackend


class SerialisingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            if message.recipients():
                message.message().as_bytes(linesep="\r\n")
                sent += 1
        return sent
