"""A stop asked for by SIGTERM lets the step in hand finish: a clean stop of the scheduler never
leaves a message sent but unrecorded (so sent again after its lease)."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from trainer import stopping


def test_a_stop_outside_any_step_ends_at_once():
    with pytest.raises(SystemExit):
        stopping.request_stop()


def test_a_stop_inside_a_step_ends_the_process_as_the_step_ends():
    done = []
    with pytest.raises(SystemExit):
        with stopping.uninterrupted():
            with stopping.uninterrupted():
                stopping.request_stop()
                done.append("inner")
            done.append("outer")  # the outer step goes on too
    assert done == ["inner", "outer"]
    with pytest.raises(SystemExit):  # and the next stop is not held back
        stopping.request_stop()


def test_a_step_of_another_thread_does_not_hold_the_stop():
    entered, release, seen = threading.Event(), threading.Event(), []

    def step():
        with stopping.uninterrupted():
            entered.set()
            release.wait(5)
        seen.append("finished")

    worker = threading.Thread(target=step)
    worker.start()
    entered.wait(5)
    try:
        with pytest.raises(SystemExit):
            stopping.request_stop()
    finally:
        release.set()
        worker.join(5)
    assert seen == ["finished"]


def test_sigterm_to_a_process_inside_a_step_waits_for_it(tmp_path):
    """A real signal: the process is inside a step when SIGTERM arrives; the step's last line runs."""
    marker = tmp_path / "inside"
    script = (
        "import signal, sys, time, pathlib\n"
        "from trainer import stopping\n"
        "signal.signal(signal.SIGTERM, stopping.request_stop)\n"
        "try:\n"
        "    with stopping.uninterrupted():\n"
        f"        pathlib.Path({str(marker)!r}).write_text('in')\n"
        "        time.sleep(1.5)\n"
        "        print('recorded', flush=True)\n"
        "    print('after the step', flush=True)\n"
        "except SystemExit:\n"
        "    print('stopped', flush=True)\n")
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONPATH=str(root)))
    try:
        for _ in range(200):
            if marker.exists():
                break
            process.poll()
            assert process.returncode is None
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert out.split() == ["recorded", "stopped"]
