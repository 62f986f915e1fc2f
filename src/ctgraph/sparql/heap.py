"""Give freed heap memory back to the system.

glibc keeps memory a process has freed for later reuse, in every thread's arena: after the
store is loaded (the parser's buffers, the one-off passes that count it), after a snapshot is
built, after a worker's query, a process can hold hundreds of megabytes it no longer uses
(158 MB at 1M triples after loading, measured with bench/memory.py). ``malloc_trim`` returns
them; elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util


def release_free_heap() -> None:
    """Return freed heap pages to the system (glibc's malloc_trim; a no-op without it)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        _libc().malloc_trim(0)


def _libc() -> ctypes.CDLL:
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return _LIBC


_LIBC: ctypes.CDLL | None = None
