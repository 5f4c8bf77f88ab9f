"""`bin/invoke test` installs what the tests need with apt-get: while another installation holds
the package manager's lock it waits (bounded) and says so, instead of ending in a traceback.
A real lock (fcntl, as apt and dpkg take theirs) on a file of the test's own."""

import subprocess
import sys
import threading

import pytest

from keter_tools import test_deps

HOLD = ("import fcntl, sys\n"
        "lock = open(sys.argv[1], 'r+')\n"
        "fcntl.lockf(lock, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n")


@pytest.fixture
def held_lock(tmp_path):
    path = tmp_path / "lock-frontend"
    path.write_text("")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    yield path, holder
    holder.kill()
    holder.wait(timeout=10)


def test_waits_while_another_installation_holds_the_lock_and_says_so(held_lock):
    path, holder = held_lock
    said, finished = [], threading.Event()
    waiter = threading.Thread(target=lambda: (test_deps.wait_for_package_manager(
        [str(path)], seconds=60, out=said.append, poll=0.05), finished.set()))
    waiter.start()
    # Bounded: at most 10 s for the message, then the lock is let go.
    for _ in range(200):
        if said:
            break
        finished.wait(0.05)
    assert said and said[0].startswith(f"Waiting for another package installation to finish (it holds {path})")
    assert not finished.is_set()
    holder.stdin.close()  # the other installation ends: its lock goes with it
    waiter.join(timeout=30)
    assert finished.is_set() and len(said) == 1


def test_gives_up_with_what_to_do_when_the_lock_stays_held(held_lock):
    path, _ = held_lock
    with pytest.raises(SystemExit, match=f"Another package installation still holds {path} after 0 s"):
        test_deps.wait_for_package_manager([str(path)], seconds=0, out=lambda line: None, poll=0.01)


def test_a_free_lock_is_no_wait(tmp_path):
    path = tmp_path / "lock"
    path.write_text("")
    said = []
    test_deps.wait_for_package_manager([str(path), str(tmp_path / "missing")], seconds=0, out=said.append)
    assert said == []
