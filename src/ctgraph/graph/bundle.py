"""Where the bundled ontology, data, shapes and named queries live.

An editable install reads them from the repository's top-level folders; a wheel carries
them under ``ctgraph/_bundled``. Nothing else in the package hard-codes these paths.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the ctgraph package folder


def _root() -> Path:
    bundled = _PACKAGE / "_bundled"
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent.parent


ROOT = _root()
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"

RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".json", ".rdf", ".owl", ".xml")


def rdf_files(*paths: Path) -> list[Path]:
    """Expand files and folders into a sorted list of RDF files (by suffix), folders recursively."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in RDF_SUFFIXES
            )
        else:
            found.append(path)
    return found


def bundled_data_files() -> list[Path]:
    """Ontology plus data: what `validate`, `query` and `serve` use when given no paths."""
    return rdf_files(ONTOLOGY_DIR, DATA_DIR)


def bundled_shape_files() -> list[Path]:
    return rdf_files(SHAPES_DIR)
