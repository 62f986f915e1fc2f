"""The lock (requirements-*.txt) satisfies pyproject.toml, and every install uses it.

pyproject.toml keeps compatible ranges for people who use ctgraph as a library; the lock pins
the exact versions, with hashes, that the README's commands, scripts/test.sh and CI install,
so a fresh machine gets what was tested. These tests catch a lock that has drifted from
pyproject.toml (a range changed without `bash scripts/lock.sh`), a lock that cannot be
installed with ``--require-hashes --no-deps``, and an install path that bypasses the lock.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("serve", "test", "bench")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REFRESH = "bash scripts/lock.sh"


@dataclass
class Pin:
    """One entry of a lock file: ``name==version ; marker`` with its hashes."""

    name: str
    version: Version
    requirement: Requirement
    hashes: list[str] = field(default_factory=list)

    def applies(self, environment: dict[str, str]) -> bool:
        """Whether pip installs this entry in `environment` (its marker holds there)."""
        marker = self.requirement.marker
        return marker is None or marker.evaluate(environment)


def read_lock(name: str) -> dict[str, Pin]:
    """requirements-NAME.txt as pins by canonical name; each entry's continuation lines
    (hashes) joined, comments dropped."""
    text = (ROOT / f"requirements-{name}.txt").read_text(encoding="utf-8")
    entries: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        current += " " + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            entries.append(current.strip())
            current = ""
    assert not current, f"requirements-{name}.txt ends inside a continued line"
    pins: dict[str, Pin] = {}
    for entry in entries:
        spec, _, _rest = entry.partition(" --hash=")
        requirement = Requirement(spec.strip())
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"requirements-{name}.txt: {spec!r} is not an exact pin")
        key = canonicalize_name(requirement.name)
        assert key not in pins, f"requirements-{name}.txt pins {requirement.name} twice"
        pins[key] = Pin(key, Version(specifiers[0].version), requirement,
                        re.findall(r"--hash=(\S+)", entry))
    return pins


def project_requirements(*extras: str) -> list[Requirement]:
    """[project].dependencies plus the named optional-dependency groups, as requirements."""
    lines = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        lines += PYPROJECT["project"]["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def build_requirements() -> list[Requirement]:
    """The build back-end: installs use ``--no-build-isolation``, so it comes from the lock."""
    return [Requirement(line) for line in PYPROJECT["build-system"]["requires"]]


ENVIRONMENT = default_environment()
"""The machine the lock is installed on here (CPython 3.11 on Linux in CI); the lock is
universal, so entries for other platforms are present but do not apply."""


def check_satisfies(lock: str, requirements: list[Requirement]) -> None:
    """Every requirement that applies here is pinned in `lock` inside its range, by an entry
    that applies here too."""
    pins = read_lock(lock)
    problems = []
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate(ENVIRONMENT):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not pinned")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement} is pinned at {pin.version}, outside its range")
        elif not pin.applies(ENVIRONMENT):
            problems.append(f"{requirement} is pinned only for other machines "
                            f"({pin.requirement.marker})")
    assert not problems, (f"requirements-{lock}.txt does not satisfy pyproject.toml "
                          f"(refresh it with `{REFRESH}`): " + "; ".join(problems))


def test_test_lock_satisfies_runtime_and_test_requirements() -> None:
    check_satisfies("test", project_requirements("test") + build_requirements())


def test_serve_lock_satisfies_runtime_requirements() -> None:
    check_satisfies("serve", project_requirements() + build_requirements())


def test_bench_lock_satisfies_every_group() -> None:
    check_satisfies("bench", project_requirements("test", "bench") + build_requirements())


def test_serve_lock_holds_no_test_tool() -> None:
    """A server installed from serve.txt carries no test runner, browser driver or linter."""
    pins = read_lock("serve")
    runtime = {canonicalize_name(r.name) for r in project_requirements()}
    for tool in ("pytest", "playwright", "schemathesis", "ruff", "hypothesis"):
        assert tool not in pins or tool in runtime, f"serve.txt pins the test tool {tool}"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_entry_is_pinned_with_hashes(lock: str) -> None:
    """``pip install --require-hashes`` refuses a file with any unhashed entry."""
    pins = read_lock(lock)
    assert pins, f"requirements-{lock}.txt pins nothing"
    unhashed = [name for name, pin in pins.items() if not pin.hashes]
    assert not unhashed, f"requirements-{lock}.txt: no hashes for {unhashed}"
    for pin in pins.values():
        for digest in pin.hashes:
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest), (pin.name, digest)


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_names_the_command_that_refreshes_it(lock: str) -> None:
    head = (ROOT / f"requirements-{lock}.txt").read_text(encoding="utf-8").splitlines()[:3]
    assert any(REFRESH in line for line in head), head


def test_locks_agree_on_every_shared_package() -> None:
    """serve ⊂ test ⊂ bench with the same versions: installing bench.txt over test.txt (or
    serving from serve.txt) never changes a version the tests ran with."""
    serve, test, bench = (read_lock(name) for name in LOCKS)
    for small_name, small, big_name, big in (("serve", serve, "test", test),
                                             ("test", test, "bench", bench)):
        missing = sorted(set(small) - set(big))
        assert not missing, f"{small_name}.txt pins {missing}, which {big_name}.txt lacks"
        differ = {n: (str(small[n].version), str(big[n].version))
                  for n in small if small[n].version != big[n].version}
        assert not differ, f"{small_name}.txt and {big_name}.txt pin different versions: {differ}"


def _closure_problems(lock: str, roots: list[Requirement]) -> list[str]:
    """Walk the requirements from `roots` through each pinned package's own metadata (the
    installed copy, which the lock put there) and report whatever is needed here but not
    pinned in `lock`, or pinned outside the range its dependant asks for. This is what
    ``pip install --no-deps -r`` relies on: the file alone is the whole environment."""
    pins = read_lock(lock)
    problems: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[Requirement, str]] = [(r, "pyproject.toml") for r in roots]
    while todo:
        requirement, wanted_by = todo.pop()
        name = canonicalize_name(requirement.name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{requirement} (wanted by {wanted_by}) is not pinned")
            continue
        if not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{wanted_by} wants {requirement}; {lock}.txt pins {pin.version}")
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{name} is pinned but not installed: run `bash scripts/test.sh`")
            continue
        if Version(dist.version) != pin.version:
            problems.append(f"{name} {dist.version} is installed, the lock pins {pin.version}: "
                            "run `bash scripts/test.sh`")
            continue
        for line in dist.requires or []:
            dependency = Requirement(line)
            extras = {""} | set(requirement.extras)
            if dependency.marker is None or any(
                    dependency.marker.evaluate({**ENVIRONMENT, "extra": extra})
                    for extra in extras):
                todo.append((dependency, f"{name} {pin.version}"))
    return problems


@pytest.mark.parametrize(("lock", "extras"), [("serve", ()), ("test", ("test",))])
def test_lock_is_complete_for_a_no_deps_install(lock: str, extras: tuple[str, ...]) -> None:
    problems = _closure_problems(lock, project_requirements(*extras) + build_requirements())
    assert not problems, (f"requirements-{lock}.txt is not a complete environment "
                          f"(refresh it with `{REFRESH}`): " + "; ".join(sorted(problems)))


def test_the_lock_holds_a_working_pytest_and_schemathesis_pair() -> None:
    """schemathesis 4.32 fails on pytest 9.2 ('Function' object has no attribute
    '_nodeid'): the pair the lock pins is the pair the fuzz tests run with."""
    pins = read_lock("test")
    assert pins["pytest"].version < Version("9.2")
    assert Version(importlib.metadata.version("pytest")) == pins["pytest"].version
    assert (Version(importlib.metadata.version("schemathesis"))
            == pins["schemathesis"].version)


# ---------------------------------------------------------------- installs use the lock


def _script(name: str) -> str:
    return (ROOT / "scripts" / name).read_text(encoding="utf-8")


def _commands(text: str) -> list[str]:
    """Shell commands of a script or of a Markdown file's ``sh`` blocks, one per line,
    continuation lines joined and comments dropped."""
    blocks = re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, re.S) or [text]
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def _pip_installs(text: str) -> list[str]:
    return [c for c in _commands(text) if re.search(r"\bpip\b.*\binstall\b", c)
            or re.search(r'"\$\{PIP\[@\]\}"\s+install\b', c)]


def _installs_from_the_lock(command: str) -> bool:
    """An install pip cannot resolve past the lock: a hashed lock file, or one named
    package (the project itself, a built wheel) with ``--no-deps``."""
    if re.search(r"--require-hashes\b.*-r\s+requirements-\w+\.txt", command):
        return "--no-deps" in command
    return "--no-deps" in command and "-r " not in command


@pytest.mark.parametrize(("script", "lock"), [("test.sh", "test"), ("serve.sh", "serve")])
def test_scripts_install_only_from_the_lock(script: str, lock: str) -> None:
    installs = _pip_installs(_script(script))
    assert any(f"-r requirements-{lock}.txt" in c and "--require-hashes" in c
               for c in installs), installs
    loose = [c for c in installs if not _installs_from_the_lock(c)]
    assert not loose, f"scripts/{script} installs outside the lock: {loose}"
    # the project itself is built by the locked back-end, not one pip fetches
    assert all("--no-build-isolation" in c for c in installs if " -e ." in c), installs


def test_ci_runs_the_locked_test_script() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci


def test_readme_set_up_commands_install_from_the_lock() -> None:
    """The README's two set-up commands are the two scripts, and every pip command the
    README shows stays inside the lock."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    set_up = readme.split("## Set-up", 1)[1].split("\n#", 1)[0]
    assert _commands(set_up) == ["bash scripts/serve.sh", "bash scripts/test.sh"]
    loose = [c for c in _pip_installs(readme) if not _installs_from_the_lock(c)]
    assert not loose, f"README installs outside the lock: {loose}"
    assert REFRESH in readme
