"""Reading a user's RDF never reaches the network or other local files.

A JSON-LD ``@context`` naming a URL or a file, and an RDF/XML external entity, are refused
with a clear error naming the file and what was refused; a local listener proves no request
was made, and a secret file's content never shows up in the output or the parsed graph.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctgraph.graph.rdf_reading import RdfSyntaxError, read_files
from tests.helpers import Listener, run_ctgraph

SECRET = "TOP-SECRET-7f3a9c"
SHAPES = Path(__file__).parent / "fixtures" / "validate" / "shapes.ttl"


CONTEXT_REPLY = (b'HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\n\r\n'
                 b'{"@context": {"name": "http://schema.org/name"}}')
"""What the listener answers: a JSON-LD context, were anything ever to fetch one."""


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener(CONTEXT_REPLY)
    try:
        yield server
    finally:
        server.stop()


def _wait_for(listener: Listener, count: int) -> bool:
    """True once the listener has seen `count` connections (bounded wait)."""
    for _ in range(50):
        if listener.connections >= count:
            return True
        threading.Event().wait(0.05)
    return False


@pytest.mark.parametrize("context", ["plain", "in-array", "import"])
def test_remote_jsonld_context_is_never_fetched(
    tmp_path: Path, listener: Listener, context: str
) -> None:
    url = f"http://127.0.0.1:{listener.port}/ctx"
    value = {
        "plain": f'"{url}"',
        "in-array": f'["{url}", {{"ex": "http://example.org/"}}]',
        "import": f'{{"@import": "{url}"}}',
    }[context]
    path = tmp_path / "remote.jsonld"
    path.write_text(f'{{\n  "@context": {value},\n  "@id": "http://example.org/a",\n'
                    '  "name": "x"\n}\n', encoding="utf-8")

    with pytest.raises(RdfSyntaxError) as error:
        read_files([path])
    assert error.value.path == path and error.value.line == 2
    assert url in str(error.value)

    done = run_ctgraph("validate", "--shapes", str(SHAPES), str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{path}:2:")
    assert url in done.stderr and "Traceback" not in done.stderr

    stats = run_ctgraph("stats", str(path))
    assert stats.returncode == 2 and url in stats.stderr

    assert listener.connections == 0
    # control: the listener does notice a connection, so the zero above means something
    socket.create_connection(("127.0.0.1", listener.port), timeout=5).close()
    assert _wait_for(listener, 1)


def test_local_file_jsonld_context_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.jsonld"
    secret.write_text(f'{{"@context": {{"name": "http://example.org/{SECRET}"}}}}',
                      encoding="utf-8")
    path = tmp_path / "local.jsonld"
    path.write_text(f'{{"@context": "{secret.as_uri()}", "@id": "http://example.org/a", '
                    '"name": "x"}', encoding="utf-8")

    with pytest.raises(RdfSyntaxError) as error:
        read_files([path])
    assert secret.as_uri() in str(error.value)
    assert SECRET not in str(error.value)

    done = run_ctgraph("validate", "--shapes", str(SHAPES), str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{path}:1:")
    assert SECRET not in done.stdout + done.stderr


def test_relative_jsonld_context_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "ctx.jsonld").write_text(f'{{"@context": {{"n": "http://x/{SECRET}"}}}}',
                                         encoding="utf-8")
    path = tmp_path / "relative.jsonld"
    path.write_text('{"@context": "ctx.jsonld", "@id": "http://example.org/a", "n": "x"}',
                    encoding="utf-8")
    with pytest.raises(RdfSyntaxError) as error:
        read_files([path])
    assert "'ctx.jsonld'" in str(error.value) and SECRET not in str(error.value)


def _xml_with_entity(tmp_path: Path, declaration: str, use: str) -> Path:
    path = tmp_path / "entity.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n'
        f"<!DOCTYPE rdf:RDF [\n  {declaration}\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:ex="http://example.org/">\n'
        f'  <rdf:Description rdf:about="http://example.org/a"><ex:p>{use}</ex:p>'
        "</rdf:Description>\n</rdf:RDF>\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["general", "parameter"])
def test_xml_external_entity_is_never_expanded(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    if kind == "general":
        path = _xml_with_entity(tmp_path, f'<!ENTITY x SYSTEM "{secret.as_uri()}">', "&x;")
    else:
        path = _xml_with_entity(
            tmp_path, f'<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;', "v")

    with pytest.raises(RdfSyntaxError) as error:
        read_files([path])
    assert error.value.line == 3
    assert "external entity" in str(error.value) and SECRET not in str(error.value)

    for command in (["validate", "--shapes", str(SHAPES)], ["stats"]):
        done = run_ctgraph(*command, str(path))
        assert done.returncode == 2
        assert done.stderr.startswith(f"{path}:3:")
        assert "external entity" in done.stderr
        assert SECRET not in done.stdout + done.stderr


def test_xml_internal_entities_still_work(tmp_path: Path) -> None:
    """OWL files often abbreviate namespaces with internal entities; those are harmless."""
    path = _xml_with_entity(tmp_path, '<!ENTITY word "expanded">', "&word;")
    graph = read_files([path]).union()
    assert [str(o) for o in graph.objects()] == ["expanded"]
