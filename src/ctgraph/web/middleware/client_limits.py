"""Limits per client, so one client cannot hold every query worker.

Who the client is: the peer address of the connection, or, when that peer is a proxy named by
``--trusted-proxy``, the address the proxy reports (``Forwarded: for=`` or
``X-Forwarded-For``), read right to left past every trusted hop, so a client cannot choose its
own identity by sending the header itself.

Two limits, both answered with 429 and ``Retry-After``:

* concurrency (``--client-concurrency N``): a client with N queries in flight (waiting for a
  worker or being evaluated) gets 429 for the next one; cache hits do not count;
* a query-time budget (``--client-query-seconds S``): each client may spend S seconds of
  query time per minute, a token bucket refilled at S/60 per second, charged with each
  query's duration when it ends (the Wikidata Query Service limits its clients this way).
  A client whose bucket is empty gets 429 until it has refilled above zero.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import Scope

from ctgraph.web.errors import HTTPProblem

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_MAX_TRACKED = 10_000
"""Clients remembered at once; idle ones with a full bucket are forgotten first."""


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """Addresses or CIDR blocks (``10.0.0.1``, ``10.0.0.0/8``, ``::1``); ValueError names a
    bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"--trusted-proxy {entry!r} is not an IP address or network") from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # Forwarded: for="[2001:db8::1]:4711"
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 192.0.2.1:4711
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: object, trusted: list[Network]) -> bool:
    return isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address) and any(
        address in network for network in trusted
    )


def _forwarded_chain(scope: Scope) -> list[str]:
    """The hops a proxy reported, nearest last: Forwarded (RFC 7239) when present, else
    X-Forwarded-For."""
    forwarded: list[str] = []
    xff: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"forwarded":
            for element in value.decode("latin-1").split(","):
                for pair in element.split(";"):
                    key, _, val = pair.partition("=")
                    if key.strip().lower() == "for":
                        forwarded.append(val)
        elif name == b"x-forwarded-for":
            xff += value.decode("latin-1").split(",")
    return forwarded or xff


def client_address(scope: Scope, trusted: list[Network]) -> str:
    """The client's address as text (see the module docstring)."""
    peer = scope.get("client")
    peer_text = peer[0] if peer else "unknown"
    if not trusted or not _trusted(_address(peer_text), trusted):
        return peer_text
    chain = _forwarded_chain(scope)
    found = peer_text
    for hop in reversed(chain):
        address = _address(hop)
        if address is None:
            break  # not an address the proxy wrote: keep the last one that was
        found = str(address)
        if not _trusted(address, trusted):
            break
    return found


@dataclass
class _Client:
    in_flight: int = 0
    balance: float = 0.0
    """Seconds of query time left (the budget's token bucket); may go below zero."""
    updated: float = 0.0


class ClientLimited(HTTPProblem):
    """429 from a per-client limit; `reason` is "concurrency" or "budget"."""

    def __init__(self, reason: str, message: str, retry_after: int):
        super().__init__(429, message, {"Retry-After": str(retry_after),
                                        "Cache-Control": "no-store"})
        self.reason = reason


class ClientLimits:
    """The per-client counters; `admit` before a query, `release` after it (same thread: the
    event loop)."""

    def __init__(self, concurrency: int = 0, query_seconds: float = 0.0):
        self.concurrency = concurrency
        """Queries in flight a client may have; 0: no limit."""
        self.query_seconds = query_seconds
        """Query seconds per client per minute; 0: no budget."""
        self._clients: dict[str, _Client] = {}

    @property
    def enabled(self) -> bool:
        return self.concurrency > 0 or self.query_seconds > 0

    def _refilled(self, state: _Client, now: float) -> None:
        if self.query_seconds > 0:
            rate = self.query_seconds / 60.0
            state.balance = min(self.query_seconds, state.balance + (now - state.updated) * rate)
        state.updated = now

    def admit(self, client: str) -> None:
        """Count a query in for `client`, or raise `ClientLimited` (429, Retry-After)."""
        if not self.enabled:
            return
        now = time.monotonic()
        state = self._clients.get(client)
        if state is None:
            if len(self._clients) >= _MAX_TRACKED:
                self._forget_idle(now)
            state = self._clients[client] = _Client(balance=self.query_seconds, updated=now)
        self._refilled(state, now)
        if self.concurrency and state.in_flight >= self.concurrency:
            raise ClientLimited(
                "concurrency", f"Too many queries at once: this endpoint evaluates at most "
                f"{self.concurrency} queries at a time per client. Wait for an answer, then "
                "send the next query.", 1,
            )
        if self.query_seconds and state.balance <= 0:
            wait = max(1, math.ceil(-state.balance / (self.query_seconds / 60.0)))
            raise ClientLimited(
                "budget", f"Query-time budget spent: each client may use "
                f"{self.query_seconds:g} s of query time per minute. Retry in {wait} s.", wait,
            )
        state.in_flight += 1

    def release(self, client: str, seconds: float) -> None:
        """The query `admit` let in has ended after `seconds`."""
        state = self._clients.get(client)
        if state is None:
            return
        now = time.monotonic()
        self._refilled(state, now)
        state.in_flight = max(0, state.in_flight - 1)
        state.balance -= seconds if self.query_seconds else 0.0
        if state.in_flight == 0 and state.balance >= self.query_seconds:
            del self._clients[client]  # nothing to remember

    def _forget_idle(self, now: float) -> None:
        for name, state in list(self._clients.items()):
            self._refilled(state, now)
            if state.in_flight == 0 and (state.balance >= self.query_seconds
                                         or len(self._clients) >= _MAX_TRACKED):
                del self._clients[name]

    def __len__(self) -> int:
        return len(self._clients)
