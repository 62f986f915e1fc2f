"""The named query library: ``queries/*.rq`` files with a metadata header, typed parameters
and safe binding.

A named query is plain SPARQL that runs as is (every parameter unbound means "no
restriction"), preceded by a grlc-style header: YAML in ``#+ `` comment lines giving its
title, description, tags and parameters. A parameter is a variable of the query; a value
given for it is parsed according to its declared type into one RDF term and joined to the
query through a ``VALUES`` block at the top of the outermost ``WHERE`` group. The value is
never pasted into the query text as text: only the validated term's canonical N-Triples form
is written, so quotes, braces or ``} ; DROP ALL`` in a value either fail validation or stay
inside one literal.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from ctgraph.graph.bundle import QUERIES_DIR
from ctgraph.graph.namespaces import PREFIXES
from ctgraph.sparql.analysis import _TOKEN as SPARQL_TOKEN
from ctgraph.sparql.analysis import tokens

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAMETER_TYPES = ("iri", "string", "date", "gYear", "integer", "enum")
RESERVED_PARAMETERS = frozenset({"format"})
"""Query-string names the HTTP API keeps for itself."""
MAX_STRING = 500

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*(?:/[A-Za-z0-9][A-Za-z0-9._~-]*)*$")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9._~/-]*)$")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_GYEAR = re.compile(r"^\d{4}$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")

_HEADER_KEYS = frozenset({"title", "summary", "description", "tags", "parameters", "example"})
_PARAMETER_KEYS = frozenset(
    {"type", "description", "required", "default", "enum", "example", "base", "minimum", "maximum"}
)


class CatalogError(ValueError):
    """A .rq file whose header or text is unusable; the message starts ``file:line:``."""


class ParameterError(ValueError):
    """A parameter value that is missing, unknown or not of its declared type."""

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


class UnknownQueryError(KeyError):
    """No named query has this name; `suggestions` are the closest names."""

    def __init__(self, name: str, suggestions: list[str]):
        super().__init__(name)
        self.name = name
        self.suggestions = suggestions

    def __str__(self) -> str:
        hint = f"; did you mean {' or '.join(self.suggestions)}?" if self.suggestions else ""
        return f"No named query {self.name!r}{hint} (list them with `ctgraph query --list`)"


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a named query; `name` is the SPARQL variable it binds."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    enum: tuple[str, ...] = ()
    example: str | None = None
    base: str | None = None
    """For iri parameters: a value without a scheme is a slug under this IRI."""
    minimum: int | None = None
    maximum: int | None = None

    def to_term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term `raw` denotes, or ParameterError saying what was expected."""
        if any(0xD800 <= ord(c) <= 0xDFFF for c in raw):
            raise self._error(raw.encode("utf-8", "replace").decode(), "valid Unicode text")
        value = raw.strip()
        if self.enum and value not in self.enum:
            raise self._error(raw, "one of " + ", ".join(self.enum))
        if self.type == "iri":
            return self._iri(raw, value)
        if self.type in ("string", "enum"):
            if len(raw) > MAX_STRING:
                raise self._error(raw[:40] + "…", f"a text of at most {MAX_STRING} characters")
            if any(ord(c) < 0x20 and c not in "\t\n\r" for c in raw):
                raise self._error(raw, "a text without control characters")
            return ox.Literal(value if self.type == "enum" else raw)
        if self.type == "date":
            if not _DATE.match(value):
                raise self._error(raw, "a date as YYYY-MM-DD")
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise self._error(raw, "a date that exists (YYYY-MM-DD)") from None
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        if self.type == "gYear":
            if not _GYEAR.match(value):
                raise self._error(raw, "a year as four digits (YYYY)")
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
        if self.type == "integer":
            if not _INTEGER.match(value):
                raise self._error(raw, "an integer")
            number = int(value)
            if self.minimum is not None and number < self.minimum:
                raise self._error(raw, f"an integer of at least {self.minimum}")
            if self.maximum is not None and number > self.maximum:
                raise self._error(raw, f"an integer of at most {self.maximum}")
            return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer"))
        raise AssertionError(self.type)  # excluded when the catalog is loaded

    def _iri(self, raw: str, value: str) -> ox.NamedNode:
        curie = _CURIE.match(value)
        if self.base and _SLUG.match(value):
            iri = self.base + value
        elif curie and curie.group(1) in PREFIXES:
            iri = PREFIXES[curie.group(1)] + curie.group(2)
        elif _ABSOLUTE.match(value):
            iri = value
        else:
            expected = "an absolute IRI" + (f" or a name under <{self.base}>" if self.base else "")
            raise self._error(raw, expected)
        try:
            return ox.NamedNode(iri)
        except ValueError as e:
            raise self._error(raw, f"a valid IRI ({e})") from None

    def _error(self, raw: str, expected: str) -> ParameterError:
        return ParameterError(
            f"Parameter {self.name!r} ({self.type}): {raw!r} is not {expected}", self.name
        )

    def json_schema(self) -> dict[str, Any]:
        """The parameter's JSON Schema (OpenAPI 3.1) for API documentation and clients."""
        schema: dict[str, Any] = {"type": "string"}
        if self.type == "integer":
            schema = {"type": "integer"}
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
        elif self.type == "date":
            schema["format"] = "date"
        elif self.type == "gYear":
            schema["pattern"] = _GYEAR.pattern
        elif self.type == "iri" and not self.enum:
            schema["minLength"] = 1
        elif self.type == "string":
            schema["maxLength"] = MAX_STRING
        if self.enum:
            schema["enum"] = [int(v) if self.type == "integer" else v for v in self.enum]
        if self.default is not None:
            schema["default"] = int(self.default) if self.type == "integer" else self.default
        if self.example is not None:
            schema["examples"] = [int(self.example) if self.type == "integer" else self.example]
        return schema


@dataclass(frozen=True)
class NamedQuery:
    """One .rq file: its metadata, parameters and SPARQL text."""

    name: str
    title: str
    description: str
    sparql: str
    form: str
    """SELECT, CONSTRUCT, ASK or DESCRIBE."""
    path: Path
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    example: Mapping[str, str] = field(default_factory=dict)
    """Parameter values of a worked example (shown in the catalogue)."""
    _where: int = 0
    """Offset just after the ``{`` that opens the outermost WHERE group."""

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def bind(self, values: Mapping[str, str]) -> str:
        """The query text with `values` (raw strings) bound; ParameterError if any is
        unknown, missing or ill-typed. Defaults fill in absent values; an absent optional
        parameter is UNDEF, which the query reads as "no restriction"."""
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=2)
                hint = (
                    f"; did you mean {' or '.join(close)}?" if close
                    else f"; it takes {', '.join(known) or 'no parameters'}"
                )
                raise ParameterError(f"Query {self.name!r} has no parameter {name!r}{hint}", name)
        if not self.parameters:
            return self.sparql
        terms: list[str] = []
        for p in self.parameters:
            raw = values.get(p.name)
            if raw is None or not raw.strip():  # blank means not given
                raw = p.default
            if raw is None:
                if p.required:
                    raise ParameterError(
                        f"Query {self.name!r} needs parameter {p.name!r} ({p.type}"
                        + (f", e.g. {p.example}" if p.example else "") + ")", p.name,
                    )
                terms.append("UNDEF")
            else:
                terms.append(str(p.to_term(raw)))
        variables = " ".join(f"?{p.name}" for p in self.parameters)
        # One line, so the engine's line numbers for the rest of the text stay right.
        block = f" VALUES ({variables}) {{ ({' '.join(terms)}) }} "
        return self.sparql[: self._where] + block + self.sparql[self._where:]

    def editor_text(self) -> str:
        """The query as an example in the editor: what its title promises, nothing hidden.

        Optional parameters stay unbound, so the rows are every row the description speaks
        of (not the worked example's filter); a required one is bound to the worked example
        in a ``VALUES`` line of its own. A comment at the top names each parameter, what it
        does and how to set it."""
        notes: list[tuple[str, str | None]] = []
        """(sentence, a line of SPARQL to show under it)"""
        required = [p for p in self.parameters if p.required]
        for p in self.parameters:
            choices = f" One of: {', '.join(p.enum)}." if p.enum else ""
            what = (p.description.rstrip(".") or f"A {p.type}") + "."
            if p.required:
                notes.append((f"?{p.name} (needed): {what} The VALUES line below sets it to "
                              f"the example; change the value there.{choices}", None))
                continue
            sample = self.example.get(p.name) or p.example or p.default
            try:
                line = f"VALUES ?{p.name} {{ {p.to_term(sample)} }}" if sample else None
            except ParameterError:
                line = None
            notes.append((f"?{p.name} (optional): {what} Unbound here, so it restricts "
                          "nothing" + ("; to restrict, add inside WHERE:" if line else ".")
                          + (f"{choices}" if not line else ""), line))
            if line and choices:
                notes[-1] = (notes[-1][0], line + f"  (one of: {', '.join(p.enum)})")
        text = self.sparql
        if required:
            terms = []
            for p in required:
                raw = self.example.get(p.name) or p.default or p.example
                terms.append(str(p.to_term(raw)) if raw is not None else "UNDEF")
            names = " ".join(f"?{p.name}" for p in required)
            values = (f"VALUES ?{required[0].name} {{ {terms[0]} }}" if len(required) == 1
                      else f"VALUES ({names}) {{ ({' '.join(terms)}) }}")
            text = f"{text[: self._where]}\n  {values}  # the example: change it\n" \
                   f"{text[self._where:].lstrip(chr(10))}"
        lines = text.splitlines()
        while lines and (lines[0].startswith("#+") or not lines[0].strip()):
            lines.pop(0)
        header = [f"# {self.title}"]
        for note, sparql in notes:
            header += ["# " + line for line in textwrap.wrap(
                note, 90, break_on_hyphens=False, break_long_words=False)]
            if sparql:
                header.append(f"#   {sparql}")
        return "\n".join([*header, *lines]).strip() + "\n"

    def summary(self) -> dict[str, Any]:
        """The catalogue entry: metadata and parameters, as JSON-ready data."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "form": self.form,
            "tags": list(self.tags),
            "parameters": [
                {
                    "name": p.name, "type": p.type, "description": p.description,
                    "required": p.required, "default": p.default,
                    **({"enum": list(p.enum)} if p.enum else {}),
                    **({"base": p.base} if p.base else {}),
                    **({"example": p.example} if p.example is not None else {}),
                }
                for p in self.parameters
            ],
            "example": dict(self.example),
            "sparql": self.sparql,
        }


def parse_query_file(path: Path) -> NamedQuery:
    """Read one .rq file; CatalogError (``file:line: problem``) if its header is unusable."""
    text = path.read_text(encoding="utf-8")
    name = path.stem
    if not _NAME.match(name):
        raise CatalogError(f"{path}:1: query name {name!r} must be lower-case words joined by -")
    header_lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header_lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    try:
        meta = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line_no = _header_line(text, mark.line) if mark else 1
        raise CatalogError(f"{path}:{line_no}: header is not valid YAML: {e}") from None
    if not isinstance(meta, dict):
        raise CatalogError(f"{path}:1: header must be a YAML mapping")
    unknown = set(meta) - _HEADER_KEYS
    if unknown:
        raise CatalogError(f"{path}:1: unknown header keys: {', '.join(sorted(unknown))}")
    title = str(meta.get("title") or meta.get("summary") or "").strip()  # grlc: summary
    if not title:
        raise CatalogError(f"{path}:1: header needs a title")
    form, where = _locate_where(text, path)
    specs = meta.get("parameters") or {}
    parameters = tuple(_parameter(path, n, spec) for n, spec in specs.items())
    variables = {t.text[1:] for t in tokens(text) if t.kind == "var"}
    for p in parameters:
        if p.name not in variables:
            raise CatalogError(f"{path}:1: parameter {p.name!r} is not a variable of the query")
    example = {str(k): str(v) for k, v in (meta.get("example") or {}).items()}
    query = NamedQuery(
        name=name, title=title, description=str(meta.get("description") or title).strip(),
        sparql=text, form=form, path=path,
        tags=tuple(str(t) for t in meta.get("tags") or ()), parameters=parameters,
        example=example, _where=where,
    )
    try:  # defaults and example values must themselves be valid
        for p in parameters:
            if p.default is not None:
                p.to_term(p.default)
            if p.example is not None:
                p.to_term(p.example)
        query.bind(example)
    except ParameterError as e:
        raise CatalogError(f"{path}:1: {e}") from None
    return query


def _header_line(text: str, header_index: int) -> int:
    """File line number of the `header_index`-th header line (0-based)."""
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+"):
            seen += 1
            if seen == header_index:
                return number
    return 1


def _parameter(path: Path, name: object, spec: object) -> Parameter:
    where = f"{path}:1: parameter {name!r}"
    if not isinstance(name, str) or not _VARIABLE.match(name):
        raise CatalogError(f"{where}: a parameter name must be a SPARQL variable name")
    if name in RESERVED_PARAMETERS:
        raise CatalogError(f"{where}: the name is reserved")
    if not isinstance(spec, dict):
        raise CatalogError(f"{where}: needs a mapping with at least a type")
    unknown = set(spec) - _PARAMETER_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    kind = spec.get("type")
    if kind not in PARAMETER_TYPES:
        raise CatalogError(f"{where}: type must be one of {', '.join(PARAMETER_TYPES)}")
    enum = tuple(str(v) for v in spec.get("enum") or ())
    if kind == "enum" and not enum:
        raise CatalogError(f"{where}: an enum parameter needs its allowed values (enum)")

    def text(key: str) -> str | None:
        value = spec.get(key)
        return None if value is None else str(value)

    return Parameter(
        name=name, type=kind, description=str(spec.get("description") or "").strip(),
        required=bool(spec.get("required", False)), default=text("default"), enum=enum,
        example=text("example"), base=text("base"),
        minimum=spec.get("minimum"), maximum=spec.get("maximum"),
    )


def _locate_where(text: str, path: Path) -> tuple[str, int]:
    """The query form and the offset just inside the outermost WHERE group's ``{``."""
    form = None
    offset = 0
    for match in _significant(text):
        word = match.group().upper()
        if form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            form = word
        if form and word == "WHERE":
            brace = text.find("{", match.end())
            if brace == -1:
                break
            offset = brace + 1
            return form, offset
    raise CatalogError(f"{path}:1: the query needs an explicit WHERE {{ … }} clause")


def _significant(text: str) -> Iterator[re.Match[str]]:
    """Word tokens with their offsets, outside comments, strings and IRIs (the project's
    SPARQL lexer, so a "WHERE" inside a string or comment is never taken for the keyword)."""
    for match in SPARQL_TOKEN.finditer(text):
        if match.lastgroup == "word":
            yield match


def load_catalog(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query in `directory`, by name, sorted."""
    queries = [parse_query_file(p) for p in sorted(directory.glob("*.rq"))]
    return {q.name: q for q in queries}


@functools.cache
def bundled_catalog() -> dict[str, NamedQuery]:
    """The bundled named queries (read once per process)."""
    return load_catalog(QUERIES_DIR)


def get_query(name: str, catalog: Mapping[str, NamedQuery] | None = None) -> NamedQuery:
    """The named query `name`, or UnknownQueryError suggesting close names."""
    catalog = bundled_catalog() if catalog is None else catalog
    if name in catalog:
        return catalog[name]
    raise UnknownQueryError(name, difflib.get_close_matches(name, list(catalog), n=3, cutoff=0.5))
