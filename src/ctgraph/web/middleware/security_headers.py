"""Headers every answer carries unless its route chose otherwise.

* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` everywhere (the
  HTML pages also send their own Content-Security-Policy, left as it is);
* ``Cache-Control`` by kind when the route set none: errors ``no-store`` (a 429 or 503 must
  not be replayed by a cache after the condition is gone), other answers ``no-cache`` (may be
  stored, revalidated each time). Routes set their own for what may be reused: SPARQL GET
  answers, linked data, static assets.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REFERRER_POLICY = "same-origin"


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                if b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in present:
                    headers.append((b"referrer-policy", REFERRER_POLICY.encode()))
                if b"cache-control" not in present:
                    value = b"no-store" if message["status"] >= 400 else b"no-cache"
                    headers.append((b"cache-control", value))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, with_headers)
