"""gzip for every route, negotiated properly.

Starlette's `GZipMiddleware` compresses whenever "gzip" occurs anywhere in Accept-Encoding,
so ``gzip;q=0`` (RFC 9110 §12.5.3: "not acceptable") still gets gzip. This subclass asks
`ctgraph.sparql.media_types.accepts_gzip`, which reads q-values, and otherwise keeps Starlette's
responders (minimum size, excluded types, large bodies compressed in a thread, bodies that
already carry a Content-Encoding, as SPARQL answers gzipped by a query worker do, left alone).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

from ctgraph.sparql.media_types import accepts_gzip


class NegotiatedGZip(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if accepts_gzip(Headers(scope=scope).get("accept-encoding")):
            responder = GZipResponder(
                self.app, self.minimum_size, compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=self.exclude_content_types,
            )
        else:
            responder = IdentityResponder(self.app, self.minimum_size,
                                          exclude_content_types=self.exclude_content_types)
        await responder(scope, receive, send)
