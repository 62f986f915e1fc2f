"""The query-worker processes: a small *zygote* that forks workers, and the workers' loop.

The server starts the zygote as a fresh interpreter (``python -m ctgraph.sparql.worker_process
FD``), not by forking itself: a fork would share the server's in-memory store with it, and
Oxigraph's store writes to what it reads (`ctgraph.sparql.worker_store`), so the zygote would
end up keeping a second copy. The zygote is single-threaded and holds no store; each worker
it forks opens the on-disk store it was told about (`WorkerStore`) read-only, so a worker
starts in milliseconds and is cheap to kill.

The server talks to the zygote over one socket (FD): ``b`` + a pickled (dump, target) asks it
to build a snapshot in a child (`ctgraph.sparql.worker_store.build_store`) and answers its exit
status; ``s`` + a pickled `WorkerStore` says which store the workers open; ``w`` with a
socket attached asks for a worker on that socket, and the zygote replies with its pid. The
zygote exits when that socket closes. A worker reads length-prefixed pickled `Job`s from its
socket and answers each with frames (`ctgraph.sparql.jobs.FRAME`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import socket
import struct
import sys
from pathlib import Path

from ctgraph.graph.store import EmbeddedStore
from ctgraph.sparql.heap import release_free_heap
from ctgraph.sparql.jobs import FRAME, ChunkWriter, error_reply, produce
from ctgraph.sparql.worker_store import WorkerStore, build_store, open_worker_store


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    """`n` bytes from `sock`; EOFError when the peer closes first."""
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise EOFError("peer closed its socket")
        chunks += chunk
    return bytes(chunks)


def die_with_parent() -> None:
    """Linux: get SIGKILL when the parent dies, so no zygote or worker outlives the server."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child_signals() -> None:
    """The server decides when children stop (EOF on their socket, SIGKILL, PDEATHSIG):
    a SIGINT from the terminal or a SIGTERM sent to the whole group (systemd) is ignored, so
    a graceful stop can finish the queries in flight."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def zygote_main(ctrl: socket.socket,
                inherited: EmbeddedStore | None = None) -> None:  # pragma: no cover (child)
    """The zygote's loop; `inherited`: the server's own store, when the zygote was forked
    from the server (``--worker-store fork``) instead of started afresh."""
    code = 0
    try:
        die_with_parent()
        _child_signals()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps workers
        spec: WorkerStore | EmbeddedStore | None = inherited
        while True:
            msg, fds, _flags, _addr = socket.recv_fds(ctrl, 1, 1)
            if not msg:
                break
            if msg in (b"s", b"b"):
                (length,) = struct.unpack("!Q", recv_exactly(ctrl, 8))
                message = pickle.loads(recv_exactly(ctrl, length))
                if msg == b"s":
                    spec = message
                else:
                    ctrl.sendall(struct.pack("!i", _build_in_child(*message)))
                continue
            channel = socket.socket(fileno=fds[0])
            pid = os.fork() if spec is not None else -1
            if pid == 0:
                ctrl.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                die_with_parent()
                assert spec is not None
                worker_main(channel, spec)
            channel.close()
            ctrl.sendall(struct.pack("!i", pid))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _build_in_child(dump: str, target: str) -> int:  # pragma: no cover (child)
    """`build_store` in a child process, so its memory goes back to the system when it ends
    and the server's event loop never waits for its GIL; its exit status (0: built)."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # so that waitpid sees it
    try:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                die_with_parent()
                build_store(Path(dump), Path(target))
                code = 0
            except BaseException as e:
                print(f"ctgraph: could not write the query workers' store: {e}", file=sys.stderr,
                      flush=True)
            finally:
                os._exit(code)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)


def worker_main(channel: socket.socket,
                spec: WorkerStore | EmbeddedStore) -> None:  # pragma: no cover (child)
    code = 0

    def emit(message: tuple) -> None:
        if message[0] == "data":
            kind = b"L" if message[2] else b"D"
            channel.sendall(FRAME.pack(kind, len(message[1])) + message[1])
        else:
            payload = pickle.dumps(message[1:], protocol=pickle.HIGHEST_PROTOCOL)
            channel.sendall(FRAME.pack(b"H", len(payload)) + payload)

    try:
        # an inherited on-disk store is opened afresh: RocksDB handles do not survive a fork
        store = open_worker_store(spec) if isinstance(spec, WorkerStore) else spec.reopen()
        while True:
            try:
                (length,) = struct.unpack("!Q", recv_exactly(channel, 8))
                job = pickle.loads(recv_exactly(channel, length))
            except EOFError:
                break
            try:
                produce(store, job, ChunkWriter(emit, job.gzip))
            except (BrokenPipeError, ConnectionError):
                raise  # the server is gone
            except Exception as e:
                reply = pickle.dumps(error_reply(e), protocol=pickle.HIGHEST_PROTOCOL)
                channel.sendall(FRAME.pack(b"X", len(reply)) + reply)
            release_free_heap()  # a sort's or a group's memory, kept by glibc otherwise
    except BaseException:
        code = 1
    finally:
        os._exit(code)


if __name__ == "__main__":  # pragma: no cover (child)
    zygote_main(socket.socket(fileno=int(sys.argv[1])))
