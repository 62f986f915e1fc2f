"""Every option of ctgraph in one place: defaults, then CTGRAPH_* environment variables,
then command-line overrides (the CLI passes only the options a user gave)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def parse_credentials(text: str | None) -> tuple[str, str] | None:
    """``USER:PASSWORD`` (``--store-auth``, ``ctgraph load --auth``, ``CTGRAPH_STORE_AUTH``)
    as a pair, None when empty; ValueError, never echoing the text, when it has no colon or
    no user."""
    if not text:
        return None
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise ValueError("credentials must read USER:PASSWORD")
    return user, password


class Settings(BaseSettings):
    """Server and engine settings; `Settings(**overrides)` applies CLI values over the
    environment."""

    model_config = SettingsConfigDict(env_prefix="CTGRAPH_", extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port; 0 picks a free one")
    base_url: str | None = Field(
        default=None, description="Public URL the server is reached at; defaults to http://host:port"
    )
    data: list[Path] = Field(
        default_factory=list,
        description="RDF files or folders to serve; empty means the bundled graph",
    )
    store: str | None = Field(
        default=None, description="On-disk store folder or remote SPARQL endpoint URL (https://…/sparql)"
    )
    store_auth: SecretStr | None = Field(
        default=None, description="USER:PASSWORD for a remote store that asks for credentials "
        "(Digest or Basic, whichever it asks for); CTGRAPH_STORE_AUTH, as for ctgraph load. "
        "Never logged nor echoed",
    )
    store_refresh: float = Field(
        default=1.0, ge=0, description="Seconds a remote store's data version (the basis of "
        "ETags and caches) is trusted before it is read again, so replicas follow a "
        "`ctgraph load` by themselves (0: read again at every use, in the background)",
    )
    union_default_graph: bool = Field(
        default=True, description="Default graph is the union of all named graphs"
    )
    timeout: float = Field(default=30.0, gt=0, description="Query time limit in seconds")
    max_request_bytes: int = Field(default=1_000_000, gt=0)
    service_allowlist: list[str] = Field(
        default_factory=list, description="SERVICE endpoints a query may call; empty: none"
    )
    cache_entries: int = Field(default=512, ge=0, description="Result cache size; 0 turns it off")
    log_level: str = "info"
    query_workers: int = Field(
        default_factory=lambda: min(max(os.cpu_count() or 2, 2), 8), ge=0,
        description="Worker processes evaluating queries (killable at the time limit; up to "
        "twice as many while slow queries hold them all); 0 evaluates in threads, where a "
        "timed-out query cannot be stopped",
    )
    query_memory: int = Field(
        default=2048, ge=0, description="MiB one query's worker process may grow by; a query "
        "that needs more is stopped with 503 (0: no bound)",
    )
    stream_after: float = Field(
        default=2.0, ge=0, description="Seconds an answer bigger than 1 MiB is held before it "
        "is streamed, so a query stopped at a short time limit gets a clean 503",
    )
    query_threads: bool = Field(
        default=True, description="Evaluate queries whose answer streams as it is computed "
        "in threads of the server (they stop at the time limit at their next write); False: "
        "every query in a worker process",
    )
    worker_store: Literal["auto", "snapshot", "fork"] = Field(
        default="auto", description="What query workers read: their own on-disk snapshot "
        "of an in-memory store, shared through the page cache (lean), or the server's "
        "in-memory store forked copy-on-write (in-memory speed for their queries, but each "
        "ends up with a private copy of what it reads); auto: fork above 3 million quads",
    )
    shapes: bool = Field(
        default=True, description="Serve the bundled SHACL shapes in graph ctgr:graph/shapes"
    )
    shapes_in_default_graph: bool = Field(
        default=False, description="Count the shapes graph into the union default graph (by "
        "default the shapes stay in their own graph: they describe the data, they are not data)"
    )
    cache_max_age: int = Field(
        default=60, ge=0, description="Seconds clients may reuse a GET answer (Cache-Control)"
    )
    # Running it in public (issue 16): probes, limits, logs, stopping.
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics")
    log_format: Literal["text", "json"] = Field(
        default="text", description="Access log: text lines, or one JSON object per request"
    )
    grace_period: float = Field(
        default=10.0, ge=0, description="Seconds a stop (SIGTERM, Ctrl-C) lets queries in "
        "flight finish before they are cancelled",
    )
    client_concurrency: int = Field(
        default=16, ge=0, description="Queries one client may have in flight; more get 429 "
        "(0: no limit)",
    )
    client_query_seconds: float = Field(
        default=0.0, ge=0, description="Seconds of query time one client may use per minute; "
        "more get 429 until it refills (0: no budget)",
    )
    trusted_proxy: list[str] = Field(
        default_factory=list, description="Proxy addresses or networks whose Forwarded / "
        "X-Forwarded-For header names the client",
    )
    keep_alive: float = Field(
        default=75.0, gt=0, description="Seconds an idle keep-alive connection is kept: longer "
        "than the clients' and proxies' own idle timeouts, so they close first and a request "
        "never races the server's close",
    )

    @field_validator("store_auth")
    @classmethod
    def _credentials(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_credentials(value.get_secret_value())
        return value

    def store_credentials(self) -> tuple[str, str] | None:
        """`store_auth` as (user, password), None without it."""
        return parse_credentials(self.store_auth.get_secret_value() if self.store_auth else None)

    @property
    def public_base_url(self) -> str:
        """Where clients reach the server, without a trailing slash."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")
