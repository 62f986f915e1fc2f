"""docs/ci.md and .pre-commit-hooks.yaml stay true: the commands they show work on a
repository laid out as they describe, and the hook's manifest is well-formed."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.helpers import run_ctgraph

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
FIXTURES = Path(__file__).parent / "fixtures" / "validate"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A user's repository: data/ with a Warning in it, shapes/."""
    (tmp_path / "data").mkdir()
    (tmp_path / "shapes").mkdir()
    shutil.copy(FIXTURES / "conforming.ttl", tmp_path / "data")
    shutil.copy(FIXTURES / "warnings.ttl", tmp_path / "data")
    shutil.copy(FIXTURES / "shapes.ttl", tmp_path / "shapes")
    return tmp_path


def doc_commands() -> list[list[str]]:
    """Every `ctgraph validate …` command line in the doc's shell and YAML blocks."""
    found = re.findall(r"(?:run: |^)(ctgraph validate [^|\n]*)", DOC, flags=re.M)
    return [shlex.split(line)[1:] for line in found]


def test_the_doc_shows_commands() -> None:
    assert len(doc_commands()) >= 3


@pytest.mark.parametrize("args", doc_commands(), ids=lambda a: " ".join(a))
def test_documented_command_runs(repo: Path, args: list[str]) -> None:
    done = run_ctgraph(*args, cwd=repo)
    assert done.returncode == 0, done.stderr  # Warnings only: conforms at the default level
    if "--output" in args:
        report = (repo / args[args.index("--output") + 1]).read_text(encoding="utf-8")
        if "junit" in args:
            assert ET.fromstring(report).tag == "testsuites"
    elif "json" in args:
        assert json.loads(done.stdout)["counts"]["warning"] == 1


def test_pre_commit_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = {h["id"]: h for h in hooks}["ctgraph-validate"]
    assert hook["entry"] == "ctgraph validate"
    assert hook["language"] == "python"
    assert set(hook) <= {"id", "name", "description", "entry", "language", "files",
                         "pass_filenames", "require_serial", "minimum_pre_commit_version",
                         "types", "args", "exclude"}
    pattern = re.compile(hook["files"])
    for name in ("a.ttl", "d/b.trig", "c.nt", "c.nq", "x.jsonld", "x.rdf", "o.owl"):
        assert pattern.search(name), name
    for name in ("package.json", "a.ttl.bak", "README.md"):
        assert not pattern.search(name), name


def test_pre_commit_config_in_the_doc_runs_as_the_hook_would(repo: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = shlex.split({h["id"]: h for h in hooks}["ctgraph-validate"]["entry"])
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml.*?)```", DOC, flags=re.S)
    assert block is not None
    config = yaml.safe_load(block.group(1))
    args = config["repos"][0]["hooks"][0]["args"]
    done = run_ctgraph(*entry[1:], *args, cwd=repo)
    assert done.returncode == 0, done.stderr
    (repo / "data" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    done = run_ctgraph(*entry[1:], *args, cwd=repo)
    assert done.returncode == 2
    assert done.stderr.startswith(str(Path("data") / "broken.ttl") + ":1:")
