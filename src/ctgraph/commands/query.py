"""`ctgraph query`: run SPARQL text, a .rq file or a named query on the graph, from a terminal.

Exit status: 0 answered; 1 the engine failed while evaluating; 2 the request is unusable
(unknown query name, bad parameter, syntax error, unreadable data, format that does not fit
the answer). Every error is one message on stderr that names the problem and where it is.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from ctgraph.catalog.named_queries import (
    CatalogError,
    ParameterError,
    UnknownQueryError,
    bundled_catalog,
    get_query,
    parse_query_file,
)
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.graph.remote_store import redacted
from ctgraph.graph.store import (
    EmbeddedStore,
    GraphStore,
    RdfSyntaxError,
    StoreUnavailable,
    load_paths,
    open_disk_store,
)
from ctgraph.settings import parse_credentials
from ctgraph.sparql.analysis import (
    analyse,
    error_position,
    explain_syntax_error,
    parser_stop_position,
)
from ctgraph.sparql.rendering import FormatError, render

_NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class UsageError(Exception):
    """A request the command cannot run; the message is for the user."""


def run_query_command(
    query: str | None, *, list_queries: bool, params: list[str], fmt: str, data: list[Path],
    store: str | None = None, store_auth: str | None = None,
) -> int:
    """Run the `ctgraph query` command; returns the exit status. `store`: an on-disk store
    folder or a remote SPARQL endpoint URL (with `store_auth`, USER:PASSWORD, if it asks for
    credentials) instead of `data` or the bundled graph."""
    try:
        if list_queries:
            _write(_catalogue(fmt))
            return 0
        if not query:
            raise UsageError(
                "Give SPARQL text, a .rq file or a named query (see `ctgraph query --list`)"
            )
        if store and data:
            raise UsageError("--data and --store name two graphs: give one")
        text, origin = _resolve(query, _parse_params(params))
        info = analyse(text, PREFIXES)
        if info.is_update:
            raise UsageError(f"{origin}: SPARQL updates are not allowed; the graph is read-only")
        graph = open_store_option(store, store_auth) if store else _load(data)
        try:
            result = graph.query(text)
            body = render(result, fmt)
        except SyntaxError as e:
            raise UsageError(_syntax_message(str(e), text, origin)) from None
    except (UsageError, ParameterError, UnknownQueryError, CatalogError, FormatError,
            RdfSyntaxError) as e:
        _error(str(e))
        return 2
    except FileNotFoundError as e:
        _error(f"{e.filename}: no such file or folder")
        return 2
    except StoreUnavailable as e:  # unreachable, refusing the credentials, failing
        _error(f"{redacted(store or '')}: {e}")
        return 2
    except (OSError, RuntimeError, ValueError) as e:
        _error(f"query evaluation failed: {e}")
        return 1
    _write(body)
    return 0


def open_store_option(store: str, auth: str | None) -> GraphStore:
    """The on-disk store folder or remote endpoint `--store` names (`auth`: ``--store-auth``);
    `UsageError` for credentials that do not read USER:PASSWORD, `StoreUnavailable` for a
    remote store that cannot answer, FileNotFoundError for a missing folder."""
    if not store.startswith(("http://", "https://")):
        if auth:
            raise UsageError("--store-auth goes with a remote --store URL")
        opened = open_disk_store(Path(store))
        opened.prefixes = dict(PREFIXES)
        return opened
    try:
        credentials = parse_credentials(auth)
    except ValueError:
        raise UsageError("--store-auth (or CTGRAPH_STORE_AUTH) must read USER:PASSWORD"
                         ) from None
    from ctgraph.graph.remote_store import open_remote_store

    return open_remote_store(store, auth=credentials, refresh=float("inf"))


def _load(data: list[Path]) -> EmbeddedStore:
    """The graph to query; unreadable input is the user's problem (exit 2), not the engine's."""
    try:
        store = load_paths(data)
    except (RdfSyntaxError, FileNotFoundError):
        raise
    except ValueError as e:  # e.g. a file whose suffix names no RDF syntax
        raise UsageError(str(e)) from None
    store.prefixes = dict(PREFIXES)
    return store


def _parse_params(params: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {item!r}: write it as KEY=VALUE")
        if key in values:
            raise UsageError(f"--param {key!r} is given twice")
        values[key] = value
    return values


def _resolve(query: str, values: dict[str, str]) -> tuple[str, str]:
    """The SPARQL text to run and where it came from (for error messages)."""
    path = Path(query)
    looks_like_file = query.endswith((".rq", ".sparql")) or (
        "/" in query and "\n" not in query and len(query) < 4096 and path.is_file()
    )
    if looks_like_file:
        if not path.is_file():
            raise UsageError(f"{query}: no such query file")
        text = path.read_text(encoding="utf-8")
        if any(line.startswith("#+") for line in text.splitlines()):
            return parse_query_file(path).bind(values), str(path)
        return _plain(text, values, str(path)), str(path)
    if _NAME_LIKE.match(query):
        return get_query(query).bind(values), query
    return _plain(query, values, "query"), "query"


def _plain(text: str, values: dict[str, str], origin: str) -> str:
    if values:
        raise UsageError(
            f"{origin}: --param applies to named queries (a .rq file with a #+ header)"
        )
    return text


def _syntax_message(message: str, text: str, origin: str) -> str:
    """``origin:line:column: problem`` followed by the line and a caret."""
    lines = text.split("\n")
    if (explained := explain_syntax_error(text, PREFIXES)) is not None:
        line, column = explained.line, explained.column
        shown = f"\n  {lines[line - 1]}\n  {' ' * (column - 1)}^" if line <= len(lines) else ""
        return f"{origin}:{line}:{column}: syntax error: {explained.expected}{shown}"
    detail = message.split(": ", 1)[1] if message.startswith("error at") else message
    detail = " ".join(detail.split())
    if len(detail) > 240:
        detail = detail[:239] + "…"
    position = error_position(message)
    lines = text.split("\n")
    if position is None or _at_end(position, lines):
        position = parser_stop_position(text) or position
    if position is None:
        return f"{origin}: syntax error: {detail}"
    line, column = position
    shown = ""
    if 1 <= line <= len(lines):
        shown = f"\n  {lines[line - 1]}\n  {' ' * max(column - 1, 0)}^"
    return f"{origin}:{line}:{column}: syntax error: {detail}{shown}"


def _at_end(position: tuple[int, int], lines: list[str]) -> bool:
    line, column = position
    return line > len(lines) or (line == len(lines) and column > len(lines[-1]))


def _catalogue(fmt: str) -> bytes:
    catalog = bundled_catalog()
    if fmt == "json":
        return json.dumps([q.summary() for q in catalog.values()], indent=2,
                          ensure_ascii=False).encode("utf-8") + b"\n"
    lines = []
    width = max((len(name) for name in catalog), default=0)
    for q in catalog.values():
        params = " ".join(
            f"{p.name}={p.type}" + ("" if p.required else "?") for p in q.parameters
        )
        lines.append(f"{q.name.ljust(width)}  {q.title}" + (f"  [{params}]" if params else ""))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _write(body: bytes) -> None:
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()


def _error(message: str) -> None:
    click.echo(f"ctgraph query: {message}", err=True)
