"""The `ctgraph` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ctgraph import __version__

if TYPE_CHECKING:
    from ctgraph.settings import Settings

PATHS = click.Path(exists=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctgraph")
def main() -> None:
    """ctgraph: the UN Global Counter-Terrorism Strategy in Central Asia as a knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--shapes", "shapes", multiple=True, type=PATHS, help="SHACL shapes (files/folders).")
@click.option(
    "--format", "fmt", default="text", show_default=True,
    type=click.Choice(["text", "json", "turtle", "junit"]), help="Report format.",
)
@click.option(
    "--fail-on", default="violation", show_default=True,
    type=click.Choice(["violation", "warning", "info"]),
    help="Lowest severity that makes the run fail (exit 1).",
)
@click.option("--output", "-o", type=PATHS, help="Write the report to a file instead of stdout.")
@click.option("--bundled", is_flag=True,
              help="Use ctgraph's bundled shapes; without PATHS, validate the bundled graph.")
@click.option("--store", help="Validate what this on-disk store folder or remote SPARQL endpoint "
              "serves (shapes: --shapes, --bundled, else the store's own).")
@click.option("--store-auth", envvar="CTGRAPH_STORE_AUTH", metavar="USER:PASSWORD",
              help="Credentials for a remote --store (Digest or Basic; env CTGRAPH_STORE_AUTH).")
def validate(
    paths: tuple[Path, ...], shapes: tuple[Path, ...], fmt: str, fail_on: str, output: Path | None,
    bundled: bool, store: str | None, store_auth: str | None,
) -> None:
    """Validate RDF files or folders (default: the current folder's RDF files) against SHACL
    shapes (default: the shapes among those files; --bundled: ctgraph's own).

    Exit 0: conforms; 1: results at or above --fail-on; 2: unusable input.
    """
    from ctgraph.commands.validate import run_validate

    sys.exit(run_validate(list(paths), list(shapes), fmt=fmt, fail_on=fail_on, output=output,
                          bundled=bundled, store=store, store_auth=store_auth))


@main.command()
@click.argument("query", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter of a named query (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "csv", "tsv", "turtle"]))
@click.option("--data", "data", multiple=True, type=PATHS,
              help="Query these RDF files or folders instead of the bundled graph.")
@click.option("--store", help="Query this on-disk store folder or remote SPARQL endpoint URL.")
@click.option("--store-auth", envvar="CTGRAPH_STORE_AUTH", metavar="USER:PASSWORD",
              help="Credentials for a remote --store (Digest or Basic; env CTGRAPH_STORE_AUTH).")
def query(
    query: str | None, list_queries: bool, params: tuple[str, ...], fmt: str,
    data: tuple[Path, ...], store: str | None, store_auth: str | None,
) -> None:
    """Run SPARQL text, a .rq file, or a named query (see --list) on the graph."""
    from ctgraph.commands.query import run_query_command

    sys.exit(run_query_command(query, list_queries=list_queries, params=list(params), fmt=fmt,
                               data=list(data), store=store, store_auth=store_auth))


@main.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]))
def stats(paths: tuple[Path, ...], fmt: str) -> None:
    """Triples, entities per class and facts per source of the graph."""
    from ctgraph.commands.stats import run_stats

    sys.exit(run_stats(list(paths), fmt=fmt))


SERVE_OPTIONS: list[tuple[str, dict[str, object]]] = [
    # (option, click.option's arguments): the options of `ctgraph serve`, each a Settings field
    ("--host", {"help": "Interface to bind (default 127.0.0.1)."}),
    ("--port", {"type": int, "help": "Port (default 8000)."}),
    ("--base-url", {"help": "Public URL clients use to reach the server."}),
    ("--timeout", {"type": float, "help": "Query time limit in seconds (default 30)."}),
    ("--store", {"help": "On-disk store folder, or a remote SPARQL endpoint URL."}),
    ("--store-auth", {"metavar": "USER:PASSWORD", "help": "Credentials for a remote --store "
                      "that asks for them (Digest or Basic; env CTGRAPH_STORE_AUTH, preferred)."}),
    ("--store-refresh", {"type": float, "help": "Seconds a remote store's data version is "
                         "trusted before it is read again (default 1; 0: at every use)."}),
    ("--no-union-default-graph", {"is_flag": True, "default": None, "help": "Default graph is "
                                  "the store's default graph, not the union of named graphs."}),
    ("--shapes-in-default-graph", {"is_flag": True, "default": None, "help": "Count the SHACL "
                                   "shapes into the union default graph (files in memory or a "
                                   "remote store; default: their own graph only)."}),
    ("--service-allow", {"multiple": True, "help": "SERVICE endpoint a query may call."}),
    ("--cache-entries", {"type": int, "help": "Result cache size (0 turns it off)."}),
    ("--query-workers", {"type": int, "help": "Worker processes evaluating queries (0: threads, "
                         "timeouts cannot stop them)."}),
    ("--query-memory", {"type": int, "help": "MiB one query may use; more is stopped with 503 "
                        "(default 2048, 0: no bound)."}),
    ("--stream-after", {"type": float, "help": "Seconds an answer over 1 MiB is held before "
                        "streaming (default 2)."}),
    ("--query-threads/--no-query-threads", {"default": None, "help": "Streaming queries in "
                                            "threads (default) or every query in a worker "
                                            "process."}),
    ("--worker-store", {"type": click.Choice(["auto", "snapshot", "fork"]), "help": "What "
                        "query workers read: an on-disk snapshot of the store (lean) or the "
                        "server's memory, forked (faster, a copy per worker); auto (default): "
                        "fork above 3 million quads."}),
    ("--log-level", {"type": click.Choice(["critical", "error", "warning", "info", "debug"])}),
    ("--log-format", {"type": click.Choice(["text", "json"]), "help": "Access log as text lines "
                      "(default) or one JSON object per request."}),
    ("--no-metrics", {"is_flag": True, "default": None,
                      "help": "Do not serve Prometheus metrics at /metrics."}),
    ("--grace-period", {"type": float, "help": "Seconds a stop (SIGTERM, Ctrl-C) lets queries "
                        "in flight finish (default 10)."}),
    ("--client-concurrency", {"type": int, "help": "Queries one client may have in flight; "
                              "more get 429 (default 16, 0: off)."}),
    ("--client-query-seconds", {"type": float, "help": "Seconds of query time one client may "
                                "use per minute (default 0: off)."}),
    ("--trusted-proxy", {"multiple": True, "help": "Proxy address or network whose "
                         "Forwarded/X-Forwarded-For names the client."}),
    ("--keep-alive", {"type": float, "help": "Seconds an idle keep-alive connection is kept "
                      "open (default 75)."}),
]


def _with_options(table: list[tuple[str, dict[str, object]]]
                  ) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator adding the click options of `table`, in its order."""
    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for name, arguments in reversed(table):
            command = click.option(name, **arguments)(command)  # type: ignore[call-overload]
        return command
    return decorate


@main.command()
@click.argument("paths", nargs=-1, type=PATHS)
@_with_options(SERVE_OPTIONS)
def serve(paths: tuple[Path, ...], **options: object) -> None:
    """Serve the graph (or PATHS) as a SPARQL 1.1 endpoint and linked data."""
    from ctgraph.web.server import run_server

    overrides = {k: v for k, v in options.items() if v not in (None, ())}
    if overrides.pop("no_union_default_graph", None):
        overrides["union_default_graph"] = False
    if overrides.pop("no_metrics", None):
        overrides["metrics"] = False
    if "trusted_proxy" in overrides:
        overrides["trusted_proxy"] = list(overrides["trusted_proxy"])  # type: ignore[call-overload]
    if "service_allow" in overrides:
        overrides["service_allowlist"] = list(overrides.pop("service_allow"))  # type: ignore[arg-type]
    if paths:
        overrides["data"] = list(paths)
    sys.exit(run_server(_settings(overrides)))


def _settings(overrides: dict[str, object]) -> Settings:
    """Settings from the environment and `overrides`; a value out of range (``--port 80000``,
    ``CTGRAPH_PORT=-1``) ends the command with one line naming it and exit status 2."""
    from pydantic import ValidationError

    from ctgraph.settings import Settings

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        error = e.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "setting"
        given = "(hidden)" if name == "store_auth" else error.get("input")  # never echoed
        where = (f"--{name.replace('_', '-')}" if name in overrides
                 else f"CTGRAPH_{name.upper()}")
        if name == "port":
            problem = "is not a port: use 0 to 65535 (0 picks a free one)"
        else:
            problem = f"is not accepted: {error['msg'].lower()}"
        print(f"ctgraph serve: {where} {given} {problem}", file=sys.stderr)
        sys.exit(2)


@main.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--store", "store", required=True,
              help="On-disk store folder to create, or a remote store's SPARQL endpoint URL.")
@click.option("--graph-store", metavar="GSP_URL",
              help="The remote store's Graph Store Protocol endpoint (with --store URL).")
@click.option("--auth", envvar="CTGRAPH_STORE_AUTH", metavar="USER:PASSWORD",
              help="Credentials for --graph-store (Digest or Basic; env CTGRAPH_STORE_AUTH).")
def load(paths: tuple[Path, ...], store: str, graph_store: str | None, auth: str | None) -> None:
    """Load RDF files or folders (default: the bundled graph) into an on-disk or remote store."""
    from ctgraph.commands.load import run_load, run_remote_load

    if store.startswith(("http://", "https://")):
        sys.exit(run_remote_load(list(paths), store, graph_store, auth))
    if graph_store:
        print("ctgraph load: --graph-store needs --store URL (the SPARQL endpoint of the same "
              "store)", file=sys.stderr)
        sys.exit(2)
    sys.exit(run_load(list(paths), Path(store)))


if __name__ == "__main__":  # pragma: no cover
    main()
