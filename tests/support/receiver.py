"""A signup endpoint for tests: the project's own local receiver (keter_tools.form_receiver) on a
free port of 127.0.0.1, which a test can tell to fail, to hold a post, or to go away."""

import threading


from keter_tools.form_receiver import SignupReceiver, read_records, start, stop

HOLD_LIMIT = 30  # seconds a held post waits at most: every wait in the tests is bounded


class FaultyReceiver(SignupReceiver):
    """The real receiver, plus a queue of faults for the next posts and a count of every post."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._faults = []
        self._faults_lock = threading.Lock()
        self.posts = 0
        self.released = threading.Event()

    def fail(self, status, times=1):
        """Answer the next `times` posts with this HTTP status (and keep nothing)."""
        with self._faults_lock:
            self._faults += [("status", status)] * times

    def stall(self):
        """Never answer the next post (until released), and keep nothing: a hung service."""
        self.released.clear()
        with self._faults_lock:
            self._faults.append(("stall", None))

    def hold(self):
        """Answer the next post normally, but only once released: a slow service."""
        self.released.clear()
        with self._faults_lock:
            self._faults.append(("hold", None))

    def release(self):
        self.released.set()

    def answer_fault(self, handler):
        with self._faults_lock:
            self.posts += 1
            kind, value = self._faults.pop(0) if self._faults else (None, None)
        if kind == "status":
            handler.answer_json(value, {"ok": False, "error": "failing on purpose"})
            return True
        if kind == "stall":
            self.released.wait(HOLD_LIMIT)
            handler.close_connection = True
            return True
        if kind == "hold":
            self.released.wait(HOLD_LIMIT)
        return False

    def clear(self):
        """Forget every fault, post and record (between tests)."""
        with self._faults_lock:
            self._faults.clear()
            self.posts = 0
        self.released.set()
        if self.store.exists():
            self.store.unlink()


class Endpoint:
    """A receiver at one fixed address, which a test can stop (connections are then refused)
    and start again at the same address, as a form service that was down and came back."""

    def __init__(self, store):
        self.store = store
        self.server = self._start(port=0)
        self.port = self.server.server_address[1]
        self.url = self.server.url

    def _start(self, port):
        quiet = lambda line: None  # noqa: E731  (the tests read the records instead)
        return start(FaultyReceiver(("127.0.0.1", port), store=self.store, echo=quiet))

    @property
    def running(self):
        return self.server is not None

    def records(self):
        """Every submission the receiver kept, oldest first (they outlive a restart)."""
        return read_records(self.store)

    def stop(self):
        if self.server:
            self.server.release()
            stop(self.server)
            self.server = None

    def start_again(self):
        if not self.server:
            self.server = self._start(self.port)

