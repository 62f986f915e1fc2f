"""The pre-commit hook as another repository uses it: `pre-commit try-repo` installs ctgraph
from this work tree into its own environment and runs the hook, as shipped (no `args`), in a
scratch git repository. It must fail on a file that breaks the shapes and pass without it:
by default the hook checks the repository it runs in, never ctgraph's own graph.

pre-commit builds ctgraph and its dependencies once (a few minutes on a cold machine); both
runs share that environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "validate"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
GIT = ["git", "-c", "user.name=ctgraph tests", "-c", "user.email=tests@example.org",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This work tree as a clean repository (tracked and new files, as they are now), so
    that pre-commit installs the code under test and can reuse its environment."""
    if not PRE_COMMIT.exists() or shutil.which("git") is None:
        pytest.skip("pre-commit (in the test lock) or git is not installed")
    source = tmp_path_factory.mktemp("ctgraph-hook-source")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in listed.decode().split("\0"):
        path = ROOT / name
        if name and path.is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "snapshot")
    return source


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(source: Path, repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CTGRAPH_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PATH"] = f"{PRE_COMMIT.parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(source), "ctgraph-validate",
                           "--all-files", "--verbose"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=1200, check=False)


def test_hook_fails_on_a_broken_file_and_passes_without_it(
        hook_source: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "their-repo"
    (repo / "data").mkdir(parents=True)
    (repo / "shapes").mkdir()
    shutil.copy(FIXTURES / "shapes.ttl", repo / "shapes" / "people.ttl")
    shutil.copy(FIXTURES / "conforming.ttl", repo / "data" / "good.ttl")
    shutil.copy(FIXTURES / "violations.trig", repo / "data" / "broken.trig")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "data")

    done = try_repo(hook_source, repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in output
    assert "broken.trig" in output and "Person (ex:PersonShape)" in output
    assert "Traceback" not in output

    git(repo, "rm", "-q", "data/broken.trig")
    git(repo, "commit", "-q", "-m", "fix")
    done = try_repo(hook_source, repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output
    assert "checked against 2 shapes" in output


def test_hook_fails_where_there_is_nothing_to_check(
        hook_source: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    """RDF data without any shapes is an error, not a pass."""
    repo = tmp_path / "no-shapes"
    repo.mkdir()
    shutil.copy(FIXTURES / "conforming.ttl", repo / "good.ttl")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "data")
    done = try_repo(hook_source, repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "no SHACL shapes to validate against" in output
