"""The report formats of ``ctgraph validate``: text for people, JSON for programs, Turtle for
RDF tools (the SHACL validation report graph itself), JUnit XML for CI systems."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable

from rdflib.term import BNode, Literal, Node, URIRef

from ctgraph.graph.namespaces import PREFIXES
from ctgraph.validation.report import FAIL_ON, SEVERITIES, Report, Result, display_path, term_text


def _compact(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    return term_text(BNode(iri[2:]) if iri.startswith("_:") else URIRef(iri), prefixes)


def _summary(report: Report, fail_on: str) -> str:
    counts = report.counts()
    parts = ", ".join(f"{counts.get(s, 0)} {s.lower()}{'s' if counts.get(s, 0) != 1 else ''}"
                      for s in SEVERITIES)
    verdict = "conforms" if report.conforms(fail_on) else "does not conform"
    return (f"{verdict} (--fail-on {fail_on}): {parts} "
            f"in {report.triples} triples checked against {len(report.shape_labels)} shapes")


def _by_shape(results: list[Result]) -> dict[str, dict[str, list[Result]]]:
    grouped: dict[str, dict[str, list[Result]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        grouped[result.source_shape][result.focus_node].append(result)
    return grouped


def _result_line(result: Result, prefixes: dict[str, str]) -> str:
    where = f"{result.path}: " if result.path else ""
    value = ""
    if result.value is not None and str(result.value) != result.focus_node:
        value = f" [value {term_text(result.value, prefixes)}"
        value += f' "{result.value_label}"]' if result.value_label else "]"
    return f"{result.severity:<9} {where}{result.message}{value}"


def write_text(report: Report, fail_on: str) -> str:
    """Grouped by shape, then focus node, most severe shape first; a summary line last."""
    px = report.prefixes or PREFIXES
    lines: list[str] = []
    grouped = _by_shape(report.results)
    order = sorted(grouped, key=lambda s: (-max(r.rank for f in grouped[s].values() for r in f), s))
    for shape in order:
        title = report.shape_labels.get(shape) or _compact(shape, px)
        lines.append(f"{title} ({_compact(shape, px)})")
        for focus, results in sorted(grouped[shape].items()):
            focus_label = results[0].focus_label
            head = f"  {_compact(focus, px)}" + (f' "{focus_label}"' if focus_label else "")
            if results[0].files:
                head += f"  in {', '.join(results[0].files)}"
            lines.append(head)
            lines.extend(f"    {_result_line(r, px)}" for r in results)
        lines.append("")
    lines.append(_summary(report, fail_on))
    return "\n".join(lines) + "\n"


def _json_term(node: Node | None) -> dict[str, str] | None:
    """SPARQL 1.1 Query Results JSON term encoding."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    term: dict[str, str] = {"type": "literal", "value": str(node)}
    if isinstance(node, Literal):
        if node.language:
            term["xml:lang"] = node.language
        elif node.datatype:
            term["datatype"] = str(node.datatype)
    return term


def write_json(report: Report, fail_on: str) -> str:
    counts = report.counts()
    document = {
        "conforms": report.conforms(fail_on),
        "fail_on": fail_on,
        "counts": {s.lower(): counts.get(s, 0) for s in counts},
        "triples": report.triples,
        "files": [display_path(p) for p in report.files],
        "results": [
            {
                "severity": r.severity,
                "focus_node": r.focus_node,
                "focus_label": r.focus_label,
                "path": r.path,
                "path_label": r.path_label,
                "value": _json_term(r.value),
                "value_label": r.value_label,
                "message": r.message,
                "source_shape": r.source_shape,
                "shape_name": r.shape_name,
                "constraint": r.constraint,
                "files": list(r.files),
            }
            for r in report.results
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_turtle(report: Report, fail_on: str) -> str:
    return report.graph.serialize(format="turtle")


def write_junit(report: Report, fail_on: str) -> str:
    """A testsuite per shape, a testcase per focus node it targets; results at or above
    --fail-on are failures, the others are listed in the testcase's system-out."""
    px = report.prefixes or PREFIXES
    threshold = {"Violation": 2, "Warning": 1, "Info": 0}[FAIL_ON[fail_on]]
    grouped = _by_shape(report.results)
    root = ET.Element("testsuites", name="ctgraph validate")
    total_tests = total_failures = 0
    for shape in sorted(set(report.targets) | set(grouped)):
        focus_nodes = sorted(set(report.targets.get(shape, [])) | set(grouped.get(shape, {})))
        title = report.shape_labels.get(shape) or _compact(shape, px)
        suite = ET.SubElement(root, "testsuite", name=f"{title} ({_compact(shape, px)})")
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="shape", value=shape)
        failures = 0
        for focus in focus_nodes:
            label = report.labels.get(focus)
            case = ET.SubElement(suite, "testcase", classname=_compact(shape, px),
                                 name=f"{_compact(focus, px)}" + (f" {label}" if label else ""))
            results = grouped.get(shape, {}).get(focus, [])
            failing = [r for r in results if r.rank >= threshold]
            passing = [r for r in results if r.rank < threshold]
            if results and results[0].files:
                # GitLab, Jenkins and GitHub annotations read the file (and line) of a case
                case.set("file", results[0].files[0])
                if results[0].line:
                    case.set("line", str(results[0].line))
            if failing:
                failures += 1
                failure = ET.SubElement(case, "failure", type=failing[0].severity,
                                        message=failing[0].message)
                where = f"{_compact(shape, px)} on {_compact(focus, px)}"
                if failing[0].files:
                    where += f" in {', '.join(failing[0].files)}"
                    where += f":{failing[0].line}" if failing[0].line else ""
                failure.text = "\n".join([where] + [_result_line(r, px) for r in failing])
            if passing:
                ET.SubElement(case, "system-out").text = "\n".join(
                    _result_line(r, px) for r in passing)
        suite.set("tests", str(len(focus_nodes)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += len(focus_nodes)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


WRITERS: dict[str, Callable[[Report, str], str]] = {
    "text": write_text,
    "json": write_json,
    "turtle": write_turtle,
    "junit": write_junit,
}


def write_report(report: Report, fmt: str, *, fail_on: str = "violation") -> str:
    """The report in `fmt` (``text``, ``json``, ``turtle`` or ``junit``)."""
    return WRITERS[fmt](report, fail_on)
