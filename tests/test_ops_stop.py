"""Graceful stop of a real `ctgraph serve`: SIGTERM (to the server or, as systemd sends it, to
its whole process group), or Ctrl-C's SIGINT to the whole group, stops accepting
connections, lets the query in flight finish and be answered, reaps the query workers and
exits 0 with no traceback and no "Aborted!".
"""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from tests.ops_support import (
    BOMB,
    SLOW,
    Background,
    descendants,
    running_workers,
    state,
    unique,
    wait_exit,
)


def _refuses(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=5)
    except httpx.ConnectError:
        return True
    except httpx.TransportError:
        return False
    return False


def _assert_clean(log: str) -> None:
    assert "Traceback" not in log, log
    assert "Aborted" not in log, log


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C", "SIGTERM to the group"])
def test_stop_lets_the_query_in_flight_finish(how, launched):
    server = launched(grace_period=120, timeout=120, cache_entries=0, query_workers=2)
    pid = server.process.pid
    slow = Background("POST", server.sparql, data={"query": unique(SLOW, how)},
                      headers={"Accept": "application/sparql-results+json"})
    running_workers(pid)
    children = descendants(pid)
    assert len(children) >= 3  # the zygote and two workers
    if how == "SIGTERM":
        os.kill(pid, signal.SIGTERM)
    elif how == "Ctrl-C":  # a terminal's Ctrl-C reaches every process of the foreground group
        os.killpg(pid, signal.SIGINT)
    else:  # as systemd stops a service: every process of its group, workers included
        os.killpg(pid, signal.SIGTERM)
    # New connections are refused while the slow query is still being evaluated.
    for _ in range(2000):
        if _refuses(server.url):
            break
    assert _refuses(server.url)
    assert not slow.done(), "the slow query should still be running"
    answer = slow.join()
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 0
    assert wait_exit(server) == 0
    log = server.log()
    _assert_clean(log)
    assert "no longer accepting connections" in log
    assert all(state(child) in (None, "Z") for child in children), "workers left running"


def test_grace_period_ends_with_the_query_cancelled_and_exit_0(launched):
    server = launched(grace_period=1, timeout=300, cache_entries=0, query_workers=1)
    pid = server.process.pid
    bomb = Background("POST", server.sparql, data={"query": BOMB})
    running_workers(pid)
    children = descendants(pid)
    os.kill(pid, signal.SIGTERM)
    assert wait_exit(server, within=120) == 0
    answer = bomb.join()  # cancelled at the end of the grace period: told to retry
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert all(state(child) in (None, "Z") for child in children), "workers left running"
    log = server.log()
    _assert_clean(log)
    assert "timeout graceful shutdown exceeded" in log


def test_idle_server_stops_on_ctrl_c_with_status_0(launched):
    server = launched()
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    children = descendants(server.process.pid)
    os.killpg(server.process.pid, signal.SIGINT)
    assert wait_exit(server) == 0
    _assert_clean(server.log())
    assert all(state(child) in (None, "Z") for child in children)


def test_second_ctrl_c_stops_at_once(launched):
    server = launched(grace_period=300, timeout=300, cache_entries=0, query_workers=1)
    pid = server.process.pid
    bomb = Background("POST", server.sparql, data={"query": BOMB})
    running_workers(pid)
    os.killpg(pid, signal.SIGINT)
    for _ in range(2000):
        if "no longer accepting" in server.log():
            break
        threading_wait(0.01)
    children = descendants(pid)
    os.killpg(pid, signal.SIGINT)
    assert wait_exit(server, within=60) == 0
    assert bomb.join().status_code == 503  # cancelled, told to retry
    _assert_clean(server.log())
    assert all(state(child) in (None, "Z") for child in children), "workers left running"


def threading_wait(seconds: float) -> None:
    import threading

    threading.Event().wait(seconds)
