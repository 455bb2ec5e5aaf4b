"""A stop asked for by a signal (SIGTERM to the scheduler) that lets the step in hand finish.

The scheduler runs its start-up jobs on the main thread, where a signal handler that raised at
once could interrupt a delivery between the SMTP server accepting a message and the outbox
recording it, and the message would be sent again after its lease (the one repeat of the
delivery guarantee). Such steps run ``uninterrupted()``: a stop asked for inside one takes
effect as it ends. Only the main thread's steps wait: it is the one a signal interrupts.
"""
import contextlib
import threading

_held = 0           # how many uninterrupted steps the main thread is inside
_asked = False      # a stop was asked for inside one


def request_stop(*_signal) -> None:
    """End the process like Ctrl+C (SystemExit), now or, inside an uninterrupted step of the
    main thread, as soon as that step ends. Usable as a signal handler."""
    global _asked
    if _held:
        _asked = True
        return
    raise SystemExit(0)


@contextlib.contextmanager
def uninterrupted():
    """A step that a stop asked for meanwhile lets finish (on the main thread; elsewhere a no-op)."""
    global _held, _asked
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _asked:
            _asked = False
            raise SystemExit(0)
