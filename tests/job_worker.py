"""The job worker (``tenants.worker.run_forever``) on a thread for the length of a ``with``."""
import contextlib
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def running_worker(poll_seconds: float = 0.05) -> Iterator[threading.Thread]:
    from tenants import worker

    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, kwargs={"poll_seconds": poll_seconds, "stop": stop})
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=20)
