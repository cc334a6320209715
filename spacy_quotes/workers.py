"""The worker processes of ``nlp.pipe(n_process=...)``: neither side's death may hang the run.

:func:`workers_exit_with_parent`: workers forked while it is open exit within a second of the
main process dying, instead of waiting for work that never comes.

spaCy's multiprocessing pipe waits for each worker's next batch on a pipe whose sending end the
main process also holds, so when a worker is killed (out of memory, a signal) the wait never
ends. :class:`DeadWorkerAlarm` watches the child processes that start while it is open: when
one ends with a non-zero exit code, it ends the others (spaCy's pipe joins them as it closes,
and one blocked sending a batch nobody will read would never end) and interrupts the main
thread's wait with a signal whose handler raises :class:`WorkerDied`, only while the caller
has said it is waiting (so the exception cannot land in the caller's own bookkeeping). The
caller then runs again, in its own process, what it had sent and not received
(``runner._Run._workers``), and goes on with new workers.

It needs POSIX signals and the main thread (``signal.pthread_kill``); elsewhere (Windows, a
server's worker thread) it does nothing.
"""
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from typing import Any, Iterator, Optional, Set

ALARM_SIGNAL = getattr(signal, "SIGUSR2", None)
POLL_SECONDS = 0.2


def _children() -> list:
    """The child processes this process started (alive or not yet joined), without reaping
    them: ``multiprocessing.active_children()`` would drop the ended ones from the set that the
    main thread adds to, from this other thread."""
    while True:
        try:
            return list(getattr(multiprocessing.process, "_children", ()))
        except RuntimeError:  # the set changed size while it was copied: again
            continue


class WorkerDied(RuntimeError):
    """A worker process ended before it finished its work."""


class DeadWorkerAlarm:
    """A context manager; :meth:`waiting` says when a ``WorkerDied`` may be raised.

    Use::

        with DeadWorkerAlarm() as alarm:
            alarm.waiting(True)
            item = next(results)     # may raise WorkerDied
            alarm.waiting(False)
    """

    def __init__(self, poll: float = POLL_SECONDS) -> None:
        self.poll = poll
        self.active = False
        self.died: Optional[str] = None  # why, once a worker is seen dead
        self._waiting = False
        self._raised = False
        self._stop = threading.Event()
        self._before: Set[Any] = set()
        self._threads_before: Set[threading.Thread] = set()
        self._previous: Any = None
        self._thread: Optional[threading.Thread] = None

    def waiting(self, flag: bool) -> None:
        """Whether the main thread is now waiting for a worker (a WorkerDied may be raised)."""
        self._waiting = flag

    def __enter__(self) -> "DeadWorkerAlarm":
        main = threading.main_thread()
        if (ALARM_SIGNAL is None or not hasattr(signal, "pthread_kill")
                or threading.current_thread() is not main):
            return self
        self._before = set(_children())
        self._threads_before = set(threading.enumerate())
        self._previous = signal.signal(ALARM_SIGNAL, self._handler)
        self.active = True
        self._thread = threading.Thread(target=self._watch, args=(main.ident,), name="spacy-quotes-worker-watch",
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.active:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        signal.signal(ALARM_SIGNAL, self._previous if self._previous is not None else signal.SIG_DFL)
        self.active = False

    def drain_feeders(self, timeout: float = 30.0) -> None:
        """After a WorkerDied, once spaCy's pipe has closed: read off what its queues' feeder
        threads still push towards the ended workers. Each writes into a pipe nobody reads
        any more, and the interpreter joins them at exit: without this the run would hang
        when it ends."""
        deadline = time.monotonic() + timeout
        for thread in set(threading.enumerate()) - self._threads_before:
            if thread.name != "QueueFeederThread":
                continue
            try:  # multiprocessing.Queue._start_thread: args[4] is the queue's reader.close
                reader = thread._args[4].__self__  # type: ignore[attr-defined]
            except (AttributeError, IndexError, TypeError):
                continue
            while thread.is_alive() and time.monotonic() < deadline:
                try:
                    if reader.poll(0.05):
                        reader.recv_bytes()
                except (OSError, EOFError, ValueError):  # the feeder closed it: it is done
                    thread.join(1.0)
                    break

    def _handler(self, signum: int, frame: Any) -> None:
        if self.died and self._waiting and not self._raised:
            self._raised = True
            raise WorkerDied(self.died)

    def _watch(self, main_ident: int) -> None:
        seen: Set[Any] = set()
        while not self._stop.wait(self.poll):
            if self.died is None:
                seen.update(p for p in _children() if p not in self._before)
                for proc in seen:
                    code = proc.exitcode
                    if code not in (None, 0):
                        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                        self.died = f"a worker process (pid {proc.pid}) ended before its work was done ({how})"
                        break
            if self.died and not self._raised and self._waiting:
                # again at each poll until the main thread takes it: it may have been busy
                signal.pthread_kill(main_ident, ALARM_SIGNAL)
            if self._raised:
                # then the others: spaCy's pipe joins them as it ends, and one blocked sending
                # a batch nobody will read would never end (not before: their end would
                # reach the main thread's wait as an EOFError first)
                for proc in seen:
                    if proc.exitcode is None:
                        proc.terminate()


# --- worker processes that end with their parent ------------------------------------------

_WATCHED_PARENT: Optional[int] = None  # the pid whose forked workers watch it
_AT_FORK_REGISTERED = False


def _watch_parent_in_child() -> None:
    """After a fork: a worker of a watched parent exits when that parent is gone (killed), instead
    of waiting for work that never comes."""
    parent = _WATCHED_PARENT
    if parent is None or os.getppid() != parent:
        return

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="spacy-quotes-parent-watch", daemon=True).start()


@contextlib.contextmanager
def workers_exit_with_parent() -> Iterator[None]:
    """While this is open, processes forked from this one (``nlp.pipe``'s workers, on
    platforms that fork them) exit within a second of this process dying."""
    global _WATCHED_PARENT, _AT_FORK_REGISTERED
    if not _AT_FORK_REGISTERED and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_watch_parent_in_child)
        _AT_FORK_REGISTERED = True
    previous, _WATCHED_PARENT = _WATCHED_PARENT, os.getpid()
    try:
        yield
    finally:
        _WATCHED_PARENT = previous


__all__ = ["DeadWorkerAlarm", "WorkerDied", "workers_exit_with_parent"]
