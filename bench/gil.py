"""Does pyoxigraph let other Python threads run while it evaluates? (It decides the design.)

    python bench/gil.py

On the bundled graph, in one process:

1. a pure-Python loop's speed in the main thread while another thread (a) evaluates an
   aggregate inside the engine, (b) iterates 3M solutions in Python, (c) serialises 3M
   solutions as JSON into a Python file object, each as a fraction of the loop's speed alone
   (1.0: the other thread never held the GIL; near 0: it held it throughout);
2. two heavy queries run one after the other and then in two threads at once: the ratio of
   wall times is the parallel speed-up the threads get (2.0 on two idle cores at best).

The machine's other load moves both figures; run it a few times.
"""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox

from ctgraph.graph.store import load_paths

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000000"


class Sink:
    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


def spin(seconds: float) -> int:
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        n += 1
    return n


def main() -> None:
    store = load_paths([], union_default_graph=True, shapes=True)

    def count() -> None:
        list(store.query(COUNT))

    def iterate() -> None:
        for _ in store.query(ROWS):
            pass

    def serialise() -> None:
        store.query(ROWS).serialize(Sink(), ox.QueryResultsFormat.JSON)

    alone = spin(1.0)
    print(f"loop alone: {alone} iterations/s")
    for work in (count, iterate, serialise):
        thread = threading.Thread(target=work)
        thread.start()
        time.sleep(0.05)
        during = spin(1.0)
        thread.join()
        print(f"loop while another thread runs {work.__name__}: {during / alone:.2f} of alone")
    for work in (count, serialise):
        t0 = time.perf_counter()
        work()
        work()
        sequential = time.perf_counter() - t0
        threads = [threading.Thread(target=work) for _ in range(2)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        parallel = time.perf_counter() - t0
        print(f"{work.__name__} twice: one after the other {sequential:.2f} s, in two threads "
              f"{parallel:.2f} s: speed-up {sequential / parallel:.2f}")


if __name__ == "__main__":
    main()
