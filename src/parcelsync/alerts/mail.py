"""E-mail over SMTP with aiosmtplib, configured by one URL: `PARCELSYNC_SMTP_URL`.

`smtp://host:25`, `smtp://user:pass@host:587?starttls=true` (STARTTLS), `smtps://user:pass@host:465`
(TLS from the start). The password never appears in logs or errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib


class MailConfigError(ValueError):
    """PARCELSYNC_SMTP_URL is not an smtp:// or smtps:// URL with a host."""


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = False
    timeout_s: float = 15.0

    def __repr__(self) -> str:
        return f"Mailer({self.host}:{self.port})"

    @classmethod
    def from_url(cls, url: str, sender: str) -> Mailer:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise MailConfigError(MailConfigError.__doc__)
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        start_tls = (query.get("starttls", ["false"])[0].lower() in {"1", "true", "yes"}) and not tls
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=tls,
            start_tls=start_tls,
        )

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout_s,
        )
