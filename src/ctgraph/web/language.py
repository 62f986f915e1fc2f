"""Which language a page shows labels in: English or Russian, the two the graph names things in.

Analysts in Central Asia often read Russian. The linked-data pages (resources, the ontology,
the landing page) show the labels of terms and resources in the reader's language when the
graph has one in it, else in English. The choice, strongest first: `?lang=en|ru` on the URL
(remembered in a cookie), the cookie, the browser's Accept-Language, English. The page's own
words (headings, buttons) stay English.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
"""Label languages offered, each named in itself (for the switch)."""
DEFAULT = "en"
COOKIE = "ctgraph_lang"
VARY = "Accept, Accept-Language, Cookie"
"""What a page negotiated on language varies on (caches must key on all three)."""


def from_accept_language(header: str | None) -> str | None:
    """The offered language the Accept-Language header prefers most, or None.

    Ranges match on their primary subtag ("ru-RU" is Russian); "*" takes the default; q=0
    refuses; among equal weights the header's order wins."""
    best: tuple[float, int, str] | None = None
    for position, item in enumerate((header or "").split(",")):
        parts = [p.strip() for p in item.split(";")]
        tag = parts[0].lower()
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = DEFAULT if tag == "*" else tag.split("-", 1)[0]
        if q <= 0 or primary not in LANGUAGES:
            continue
        if best is None or (q, -position) > (best[0], -best[1]):
            best = (q, position, primary)
    return best[2] if best else None


def requested(request: Request) -> str | None:
    """The language named by `?lang=`, when it is one offered."""
    value = (request.query_params.get("lang") or "").lower()
    return value if value in LANGUAGES else None


def page_language(request: Request) -> str:
    """The label language for this request: ?lang=, else the cookie, else Accept-Language."""
    cookie = (request.cookies.get(COOKIE) or "").lower()
    return (requested(request) or (cookie if cookie in LANGUAGES else None)
            or from_accept_language(request.headers.get("accept-language")) or DEFAULT)


def remember(request: Request, response: Response) -> Response:
    """Keep a `?lang=` choice in a cookie, so the next pages follow it without the parameter."""
    chosen = requested(request)
    if chosen is not None and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, path="/", samesite="lax")
    return response
