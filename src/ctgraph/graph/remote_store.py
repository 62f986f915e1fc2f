"""A remote SPARQL 1.1 endpoint behind the `GraphStore` interface (Virtuoso, Oxigraph server,
Fuseki, GraphDB, Neptune…), so the protocol endpoint, linked-data pages and named queries
work the same over it. Answers come back as pyoxigraph result objects, exactly as from the
embedded store, so no caller branches on the back-end.

Queries mean what they mean on the embedded store:

* the project's prefixes are pre-declared (``prefixes``), relative IRIs resolve against
  ``base_iri`` when one is given, and a query that does not parse is refused here, with the
  embedded parser's line and column, before it reaches the endpoint;
* the dataset is the project's, never the store's own: when ``ctgraph load --graph-store``
  filled the store it left a description of what it loaded (`DATASET_GRAPH`: the named
  graphs, the graph holding their merge, the data version). A query that names no dataset of
  its own is then sent with ``default-graph-uri`` = that merge and ``named-graph-uri`` = the
  project's graphs, so Virtuoso's system graphs (its default graph is the union of every
  graph it holds) and anything else in the store stay out of every answer. A store filled by
  other means is queried as it is (its default graph must then hold the merge itself);
* DESCRIBE is answered as the embedded store answers it (the resource's concise bounded
  description: its triples and, recursively, those of the blank nodes they reach), not as
  the endpoint's own DESCRIBE does (Virtuoso adds the triples pointing at the resource);
* the store's dialect is normalised: Virtuoso's blank-node labels (``nodeID://b1``), its
  ``typed-literal`` results and its year-month durations stored as a count of months.

The data version (ETags, answer caches) follows the store: the description is read again
when it is older than ``refresh`` seconds (one small SELECT, 1.5-2.5 ms against a local
Virtuoso, in a thread of its own), so replicas pick up a new `ctgraph load` by themselves and
agree again within about ``refresh`` seconds of it.

Credentials (``auth``) answer whichever scheme the endpoint asks for (`AnyAuth`: Digest, as
Virtuoso's ``/sparql-auth``, or Basic); an endpoint that asks for none is sent none.

Failures: an endpoint that cannot be reached, or that fails or refuses (401, 403), raises
`StoreUnavailable` (the HTTP layer answers 503 or 502 with its message); connections are
pooled, so the next query after the store is back reconnects by itself. The time limit is the
HTTP client's: a query still unanswered at ``timeout`` is abandoned and its connection closed.
Messages never name the store's URL or credentials (they reach web clients): the server log
names the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Collection, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Unpack
from urllib.parse import unquote, urlencode, urlsplit

import httpx
import pyoxigraph as ox

from ctgraph.graph.namespaces import BASE
from ctgraph.graph.remote_dialect import guard_temporal_comparisons
from ctgraph.graph.store import OUTSIDE_THE_UNION, QueryOptions, QueryResult, StoreUnavailable
from ctgraph.sparql.analysis import _TOKEN, analyse, tokens

log = logging.getLogger("ctgraph.graph")

DATASET_GRAPH = f"{BASE}graph/dataset"
"""The graph `ctgraph load --graph-store` writes last: which graphs it loaded, where their
merge is and the data version (SPARQL service description terms)."""
UNION_GRAPH = f"{BASE}graph/default"
"""The merge (a set) of every loaded graph: the default graph of ctgraph's queries."""
NO_GRAPH = "urn:ctgraph:no-graph"
"""A graph name nothing is stored under: an empty default graph or set of named graphs,
which the protocol cannot say with no parameter at all (no parameter means the store's
own dataset)."""
SD = "http://www.w3.org/ns/sparql-service-description#"
DCT = "http://purl.org/dc/terms/"
XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"

SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
                         "http://localuriqaserver/", "http://www.w3.org/2002/07/owl#")
"""Graphs Virtuoso holds on its own (2,656 triples on a fresh database): never listed as the
project's, even in a store not loaded by ctgraph."""

LOADED_DATASET_QUERY = f"""
    SELECT ?default ?named ?version ?modified WHERE {{ GRAPH <{DATASET_GRAPH}> {{
      <{DATASET_GRAPH}> <{SD}defaultGraph> ?default ; <{DCT}identifier> ?version .
      OPTIONAL {{ <{DATASET_GRAPH}> <{SD}namedGraph> ?named }}
      OPTIONAL {{ <{DATASET_GRAPH}> <{DCT}modified> ?modified }} }} }}"""

POOL_SIZE = 16
"""Connections kept open to the endpoint (queries run in a thread pool of about that size)."""


class RemoteQueryError(RuntimeError):
    """The endpoint refused a query that parses here (its own dialect or limits)."""


class AnyAuth(httpx.Auth):
    """USER:PASSWORD for whichever scheme the endpoint asks for: Digest (Virtuoso's
    /sparql-auth and /sparql-graph-crud-auth) or Basic (Fuseki, GraphDB, a reverse proxy).
    Nothing is sent until the endpoint asks (401), then its scheme is kept."""

    def __init__(self, user: str, password: str):
        self.basic = httpx.BasicAuth(user, password)
        self.digest = httpx.DigestAuth(user, password)
        self.scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme == "digest":
            yield from self.digest.auth_flow(request)
            return
        if self.scheme == "basic":
            yield from self.basic.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenges = " ".join(response.headers.get_list("www-authenticate")).lower()
        self.scheme = "digest" if "digest" in challenges else "basic"
        yield from self.auth_flow(request)


def redacted(url: str) -> str:
    """`url` without the user and password it may carry (for logs and start-up errors)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


@dataclass(frozen=True)
class LoadedDataset:
    """What `ctgraph load --graph-store` recorded in `DATASET_GRAPH`."""

    default_graph: str
    named_graphs: tuple[str, ...]
    version: str
    modified: float | None = None
    """When the load wrote it (POSIX time; None for a load that did not record it)."""


class RemoteStore:
    """Read-only access to a SPARQL 1.1 Protocol endpoint at `url`.

    `auth`: credentials (a pair, answered as `AnyAuth`, or an `httpx.Auth`; without it, those
    of the URL's ``USER:PASSWORD@``, taken out of it); `refresh`: the seconds the loaded
    description (dataset, version) is trusted before it is read again (0: at every use);
    `union_outside`: the loaded graphs the default graph leaves out (the
    shapes, unless ``serve --shapes-in-default-graph``), as for the embedded store."""

    def __init__(self, url: str, *, timeout: float = 60.0, client: httpx.Client | None = None,
                 auth: httpx.Auth | tuple[str, str] | None = None, refresh: float = 1.0,
                 union_outside: Collection[str] = OUTSIDE_THE_UNION):
        parts = urlsplit(url)
        if auth is None and parts.username is not None:  # https://USER:PASSWORD@host/sparql
            auth = (unquote(parts.username), unquote(parts.password or ""))
        self.url = redacted(url)
        self.timeout = timeout
        self.refresh = refresh
        self.union_outside = frozenset(union_outside)
        self._authenticated = auth is not None
        self._secrets = [auth[1]] if isinstance(auth, tuple) else []
        if isinstance(auth, tuple):
            auth = AnyAuth(*auth)
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)), auth=auth,
            limits=httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE))
        self.prefixes: dict[str, str] = {}
        """Prefixes pre-declared for every query (the query's own PREFIX lines win)."""
        self._parser = ox.Store()  # empty: checks a query's syntax without evaluating it
        self._dataset = self._loaded_dataset()
        self._checked = time.monotonic()
        self._refreshing = False
        self._fingerprinted: str | None = None
        self.union_default_graph = (True if self._dataset
                                    else self._default_graph_holds_the_named_graphs())
        """The default graph holds every named graph's triples (the loaded merge, or the
        endpoint's own configuration, probed once; the service description announces it)."""

    # ------------------------------------------------------------------ the dataset

    @property
    def dataset(self) -> LoadedDataset | None:
        """The project's dataset as `ctgraph load` recorded it, None for a store filled by
        other means (queried as it is). Once it is `refresh` seconds old, a use starts
        reading it again in a thread of its own and goes on with the one it has: the version
        is asked for on the event loop (ETags), which must never wait for the store."""
        if time.monotonic() - self._checked >= self.refresh and not self._refreshing:
            self._refreshing = True  # one read at a time; threads meanwhile keep this one
            threading.Thread(target=self._reread, name="ctgraph-store-refresh",
                             daemon=True).start()
        return self._dataset

    def _reread(self) -> None:
        try:
            found = self._loaded_dataset()
            # a description being replaced (its PUT under way) may read as none for a moment
            if found is not None or self._dataset is None:
                self._dataset = found
            self._checked = time.monotonic()
        except (StoreUnavailable, RemoteQueryError, ValueError, KeyError) as e:
            # the store down or refusing: the queries themselves say so (502/503); tried
            # again at the next use
            log.debug("the dataset description could not be read again: %s", e)
        finally:
            self._refreshing = False

    @property
    def modified(self) -> float | None:
        """When the load that wrote the data finished (Last-Modified, the same on every
        replica), None when it did not say."""
        dataset = self.dataset
        return dataset.modified if dataset is not None else None

    @property
    def version(self) -> str:
        """The loaded data version, else a fingerprint of the store (its size and graph
        names, taken once: counting a large store is not cheap)."""
        dataset = self.dataset
        if dataset is not None:
            return dataset.version
        if self._fingerprinted is None:
            self._fingerprinted = self._fingerprint()
        return self._fingerprinted

    def _loaded_dataset(self) -> LoadedDataset | None:
        rows = self._raw_select(LOADED_DATASET_QUERY)
        if not rows:
            return None
        named = sorted({r["named"]["value"] for r in rows if "named" in r})
        modified = None
        if "modified" in rows[0]:
            with contextlib.suppress(ValueError):
                stamp = datetime.fromisoformat(rows[0]["modified"]["value"])
                # written in UTC; a store that drops the zone keeps the time itself
                modified = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
        return LoadedDataset(rows[0]["default"]["value"], tuple(named),
                             rows[0]["version"]["value"], modified)

    def _default_graph_holds_the_named_graphs(self) -> bool:
        if not self.named_graphs():
            return False
        left_out = " ".join(f"<{g}>" for g in OUTSIDE_THE_UNION)  # the shapes are not data
        outside = ("ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } "
                   f"FILTER(?g NOT IN ({left_out.replace(' ', ', ')})) }}")
        return not bool(self.query(outside))

    def _fingerprint(self) -> str:
        """A version that changes with the data: the endpoint's size and graph names."""
        count = self._select_one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        graphs = ",".join(self.named_graphs())
        return hashlib.sha256(f"{self.url}|{count}|{graphs}".encode()).hexdigest()[:16]

    def _dataset_params(self, sparql: str, default_graphs: list[str] | None,
                        named_graphs: list[str] | None) -> list[tuple[str, str]]:
        """The protocol's dataset parameters: the request's own, else (for a loaded dataset
        and a query without FROM) the project's."""
        dataset = self.dataset
        if dataset is not None:
            if default_graphs is None and named_graphs is None:
                if analyse(sparql).has_dataset_clause:
                    return []
                default_graphs = self._default_graphs(dataset)
                named_graphs = list(dataset.named_graphs)
            if default_graphs is not None and not default_graphs:
                default_graphs = [NO_GRAPH]
            if named_graphs is not None and not named_graphs:
                named_graphs = [NO_GRAPH]
            if default_graphs is None:
                default_graphs = self._default_graphs(dataset)
            if named_graphs is None:
                named_graphs = list(dataset.named_graphs)
        params = [("default-graph-uri", g) for g in default_graphs or []]
        return params + [("named-graph-uri", g) for g in named_graphs or []]

    def _default_graphs(self, dataset: LoadedDataset) -> list[str]:
        """The graphs whose merge is the default graph: the loaded merge (which leaves out
        the shapes, as the embedded store's union does) and the left-out graphs the server
        counts in after all (``--shapes-in-default-graph``)."""
        counted_in = [g for g in dataset.named_graphs
                      if g in OUTSIDE_THE_UNION and g not in self.union_outside]
        return [dataset.default_graph, *counted_in]

    # ------------------------------------------------------------------ HTTP

    def _post(self, sparql: str, accept: str, params: list[tuple[str, str]]) -> httpx.Response:
        try:
            body = urlencode([("query", sparql), *params]).encode()
            response = self.client.post(self.url, content=body, headers={
                "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        except httpx.TimeoutException:
            raise StoreUnavailable(f"the remote store did not answer within "
                                   f"{self.timeout:g} s; the request was abandoned") from None
        except httpx.HTTPError as e:
            raise StoreUnavailable(f"the remote store is unreachable ({type(e).__name__}: "
                                   f"{self._scrubbed(_first_line(str(e)))})") from None
        status = response.status_code
        if status == 200:
            return response
        if status == 401:
            raise StoreUnavailable("the remote store refused the credentials (401 Unauthorized)"
                                   if self._authenticated else "the remote store asks for "
                                   "credentials (401 Unauthorized)", status=502)
        if status == 403:
            raise StoreUnavailable("the remote store refused to answer (403 Forbidden): the "
                                   "user may not query it", status=502)
        detail = self._scrubbed(_first_line(response.text))
        if status in (400, 414):
            raise RemoteQueryError(f"the remote store refused the query: {detail}")
        if status >= 500 and "error" in response.text[:200].lower() and \
                "sparql" in response.text.lower():
            # Virtuoso answers 500 for queries its compiler cannot run (not a failure of it)
            raise RemoteQueryError(f"the remote store could not evaluate the query: {detail}")
        raise StoreUnavailable(f"the remote store answered {status}: {detail}", status=502)

    def _scrubbed(self, text: str) -> str:
        """`text` (a message of the endpoint or of the HTTP client) without the store's URL,
        host and credentials, which web clients must not learn."""
        parts = urlsplit(self.url)
        secrets = [self.url, f"{parts.scheme}://{parts.netloc}", parts.netloc,
                   parts.netloc.rsplit("@", 1)[-1], parts.hostname or "", parts.password or "",
                   *self._secrets]
        for secret in sorted({s for s in secrets if len(s) > 2}, key=len, reverse=True):
            text = text.replace(secret, "…")
        return text

    def _raw_select(self, sparql: str, params: list[tuple[str, str]] | None = None
                    ) -> list[dict[str, dict[str, str]]]:
        response = self._post(sparql, "application/sparql-results+json", params or [])
        return json.loads(response.content)["results"]["bindings"]

    # ------------------------------------------------------------------ GraphStore

    def query(self, sparql: str, **options: Unpack[QueryOptions]) -> QueryResult:
        """Evaluate a query on the endpoint; `base_iri` resolves its relative IRIs (without
        it, the endpoint resolves them against its own URL)."""
        if options.get("substitutions"):
            raise NotImplementedError("a remote store binds parameters with VALUES, not "
                                      "substitutions")
        base_iri = options.get("base_iri")
        params = self._dataset_params(sparql, options.get("default_graphs"),
                                      options.get("named_graphs"))
        info = analyse(sparql, self.prefixes)
        if not info.services:
            # A SERVICE call would be made by the check itself (an ASK is evaluated at once),
            # so such a query's syntax is left to the endpoint.
            self._parser.query(sparql, prefixes=self.prefixes or None,
                               base_iri=base_iri or self.url)
        sparql = guard_temporal_comparisons(
            self._prologue(sparql, base_iri) + _typed_booleans(sparql), self.prefixes)
        if info.form == "DESCRIBE":
            return self._describe(sparql, params)
        if info.form == "CONSTRUCT":
            return _triples(self._post(sparql, "application/n-triples", params).content)
        response = self._post(sparql, "application/sparql-results+json", params)
        return ox.parse_query_results(_normalised_json(response.content),
                                      format=ox.QueryResultsFormat.JSON)

    def _describe(self, sparql: str, params: list[tuple[str, str]]) -> ox.QueryTriples:
        """DESCRIBE as the embedded store answers it: the described resources (a SELECT of
        the same text), then their concise bounded descriptions in one CONSTRUCT."""
        head, targets, rest = _split_describe(sparql)
        terms = [t for t in targets if not t.startswith("?")]
        variables = [t for t in targets if t.startswith("?") or t == "*"]
        if variables:
            select = f"{head} SELECT DISTINCT {' '.join(variables)} {rest}"
            for row in self._raw_select(select, params):
                for binding in row.values():
                    if binding["type"] == "uri":
                        terms.append(f"<{binding['value']}>")
                    elif binding["type"] == "bnode" and "://" in binding["value"]:
                        terms.append(f"<{binding['value']}>")  # Virtuoso names them so
        if not terms:
            return _triples(b"")
        resources = " ".join(dict.fromkeys(terms))
        depth = 4
        while True:
            branches, template = [], []
            for level in range(depth + 1):
                chain = "".join(f"?b{i - 1} ?q{i} ?b{i} FILTER(isBlank(?b{i})) "
                                for i in range(1, level + 1))
                branches.append(f"{{ VALUES ?b0 {{ {resources} }} {chain}?b{level} ?p{level} "
                                f"?o{level} }}")
                template.append(f"?b{level} ?p{level} ?o{level} .")
            construct = (f"{head} CONSTRUCT {{ {' '.join(template)} }} WHERE {{ "
                         f"{' UNION '.join(branches)} }}")
            body = self._post(construct, "application/n-triples", params).content
            graph = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            subjects = {t.subject for t in graph}
            unexplained = any(isinstance(t.object, ox.BlankNode) and t.object not in subjects
                              for t in graph)
            if not unexplained or depth >= 64:
                return _triples(body)
            depth *= 2

    def _prologue(self, sparql: str, base_iri: str | None) -> str:
        """BASE and the pre-declared prefixes the text uses without declaring them, on one
        line before it (declarations the query makes itself come later, so they win)."""
        declared: set[str] = set()
        used: set[str] = set()
        toks = list(tokens(sparql))
        for i, tok in enumerate(toks):
            if tok.kind != "word":
                continue
            if tok.text.upper() == "PREFIX" and i + 1 < len(toks):
                declared.add(toks[i + 1].text.rstrip(":"))
            elif ":" in tok.text:
                used.add(tok.text.split(":", 1)[0])
        own_base = any(tok.kind == "word" and tok.text.upper() == "BASE" and i + 1 < len(toks)
                       and toks[i + 1].kind == "iri" for i, tok in enumerate(toks))
        # a query with a BASE of its own keeps it alone (Virtuoso refuses a second BASE)
        lines = [f"BASE <{base_iri}>"] if base_iri and not own_base else []
        lines += [f"PREFIX {name}: <{iri}>" for name, iri in self.prefixes.items()
                  if name in used - declared]
        return " ".join(lines) + "\n" if lines else ""

    def _select_one(self, sparql: str, params: list[tuple[str, str]] | None = None) -> str:
        rows = self._raw_select(sparql, params)
        for row in rows:
            for binding in row.values():
                return binding["value"]
        return ""

    def named_graphs(self) -> list[str]:
        """The project's named graphs: those `ctgraph load` recorded, else every graph the
        endpoint holds except Virtuoso's own."""
        if self.dataset is not None:
            return list(self.dataset.named_graphs)
        rows = self._raw_select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(g for r in rows if not (g := r["g"]["value"]).startswith(
            SYSTEM_GRAPH_PREFIXES))

    def quad_count(self) -> int:
        """Quads as the embedded store counts them: the default graph's and every named
        graph's."""
        default = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        params = self._dataset_params("", None, None)
        return (int(self._select_one(default, params) or 0)
                + int(self._select_one(named, params) or 0))


def _first_line(text: str) -> str:
    """The first informative line of an error body (HTML tags and blank lines dropped)."""
    text = re.sub(r"<(title|h1)>.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return "(no message)"


_BOOLEAN_FUNCTIONS = frozenset({
    "BOUND", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "CONTAINS",
    "STRSTARTS", "STRENDS", "LANGMATCHES", "SAMETERM", "EXISTS", "NOT"})


def _typed_booleans(sparql: str) -> str:
    """Each ``(expression AS ?v)`` whose value is a boolean wrapped in ``xsd:boolean()``:
    Virtuoso evaluates comparisons and logical operators to the integers 1 and 0, and only a
    cast gives the boolean the embedded store answers."""
    matches = [m for m in _TOKEN.finditer(sparql) if m.lastgroup not in ("ws", "comment")]
    edits: list[tuple[int, int]] = []
    for i, m in enumerate(matches):
        if not (m.lastgroup == "word" and m.group().upper() == "AS" and i + 2 < len(matches)
                and matches[i + 1].lastgroup == "var" and matches[i + 2].group().startswith(")")):
            continue
        depth, j, boolean = 0, i - 1, False
        while j >= 0:
            text, kind = matches[j].group(), matches[j].lastgroup
            if kind == "punct":
                depth += text.count(")") - text.count("(")
                if depth < 0:
                    break
                if depth == 0 and any(op in text for op in ("&&", "||", "=", "<", ">", "!")):
                    boolean = True
            elif kind == "word" and depth == 0 and text.upper() in ("IN",):
                boolean = True
            j -= 1
        if j < 0 or j + 1 >= i:
            continue
        first = matches[j + 1]
        if (not boolean and first.lastgroup == "word"
                and first.group().upper() in _BOOLEAN_FUNCTIONS):
            # a call of a boolean function is the whole expression when its parentheses close
            # right before AS
            boolean = matches[i - 1].group().endswith(
                "}" if first.group().upper() in ("EXISTS", "NOT") else ")")
        if boolean:
            open_at = matches[j].start() + matches[j].group().rfind("(") + 1
            edits.append((open_at, m.start()))
    for start, end in reversed(edits):
        sparql = (sparql[:start] + f"<{XSD_BOOLEAN}>(" + sparql[start:end].rstrip() + ") "
                  + sparql[end:])
    return sparql


def _split_describe(sparql: str) -> tuple[str, list[str], str]:
    """(prologue, described terms, the rest) of a DESCRIBE query's text."""
    head_end = targets_end = None
    targets: list[str] = []
    for match in _TOKEN.finditer(sparql):
        kind, text = match.lastgroup, match.group()
        if kind in ("ws", "comment"):
            continue
        if head_end is None:
            if kind == "word" and text.upper() == "DESCRIBE":
                head_end = match.start()
                targets_end = match.end()
            continue
        if kind in ("var", "iri") or text == "*" or (
                kind == "word" and ":" in text and text.upper() not in ("FROM", "WHERE")):
            targets.append(text)
            targets_end = match.end()
            continue
        break
    assert head_end is not None and targets_end is not None
    return sparql[:head_end], targets, sparql[targets_end:]


_BNODE_LABEL = re.compile(r"[^A-Za-z0-9_]")
_MONTHS = re.compile(rb'"(-?)(\d+)"\^\^<' + XSD_DURATION.encode() + rb">")


def _months(sign: str, count: int) -> str:
    """A count of months as the canonical xsd:duration lexical form (Virtuoso keeps only it)."""
    years, months = divmod(count, 12)
    text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
    return f"{sign}P{text}"


XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = re.compile(rb'"([01])"\^\^<' + XSD_BOOLEAN.encode() + rb">")


def _triples(body: bytes) -> ox.QueryTriples:
    """N-Triples from the endpoint as the embedded store's triples result (Virtuoso writes
    durations as months and booleans as 1 and 0)."""
    body = _MONTHS.sub(lambda m: b'"' + _months(m.group(1).decode(), int(m.group(2))).encode()
                       + b'"^^<' + XSD_DURATION.encode() + b">", body)
    body = _BOOLEANS.sub(lambda m: (b'"true"' if m.group(1) == b"1" else b'"false"')
                         + b"^^<" + XSD_BOOLEAN.encode() + b">", body)
    scratch = ox.Store()
    scratch.load(body, format=ox.RdfFormat.N_TRIPLES)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _normalised_json(content: bytes) -> bytes:
    """SPARQL JSON results in the form pyoxigraph reads: Virtuoso's ``typed-literal`` and
    ``nodeID://`` blank nodes, and its durations counted in months, made standard."""
    if b"typed-literal" not in content and b"nodeID://" not in content:
        return content
    document = json.loads(content)
    for row in document.get("results", {}).get("bindings", []):
        for binding in row.values():
            if binding.get("type") == "typed-literal":
                binding["type"] = "literal"
                if binding.get("datatype") == XSD_BOOLEAN and binding["value"] in ("0", "1"):
                    binding["value"] = "true" if binding["value"] == "1" else "false"
                if binding.get("datatype") == XSD_DURATION:
                    match = re.fullmatch(r"(-?)(\d+)", binding["value"])
                    if match:
                        binding["value"] = _months(match.group(1), int(match.group(2)))
            elif binding.get("type") == "bnode":
                binding["value"] = _BNODE_LABEL.sub("_", binding["value"])
    return json.dumps(document).encode()


def open_remote_store(url: str, *, union_default_graph: bool = True, timeout: float = 60.0,
                      auth: tuple[str, str] | None = None, refresh: float = 1.0,
                      union_outside: Collection[str] = OUTSIDE_THE_UNION) -> RemoteStore:
    """The store behind `ctgraph serve --store https://…/sparql`. Whether the endpoint's
    default graph is the union of its graphs is the endpoint's own configuration
    (`RemoteStore.union_default_graph` tells which), or the loaded merge. The project's
    prefixes are pre-declared, as for the embedded stores; `timeout` is the query time limit
    (a query still unanswered then is abandoned); `auth`, `refresh` and `union_outside` are
    `RemoteStore`'s."""
    from ctgraph.graph.namespaces import PREFIXES

    store = RemoteStore(url, timeout=timeout, auth=auth, refresh=refresh,
                        union_outside=union_outside)
    store.prefixes = dict(PREFIXES)
    return store
