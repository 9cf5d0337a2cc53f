"""Fixtures for the Docker API compatibility tests (Debian's python3-docker,
run with /usr/bin/python3 -m pytest).

Each test gets its own berthd (BERTHD, default build/src/berthd/berthd) with
its own --data-root, --exec-root and unix socket in a temp dir; it is
stopped by PID after the test, even on failure.
"""
import os
import signal
import subprocess
import tempfile
import time

import docker
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BERTHD = os.environ.get("BERTHD", os.path.join(REPO, "build/src/berthd/berthd"))
BERTH = os.environ.get("BERTH", os.path.join(REPO, "build/src/berth/berth"))
SCRIPTS = os.environ.get("BERTH_SCRIPTS_DIR", os.path.join(REPO, "scripts"))


class Daemon:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.exec_root = os.path.join(root, "exec")
        self.sock = os.path.join(self.exec_root, "berth.sock")
        self.url = "unix://" + self.sock
        self.log = open(os.path.join(root, "berthd.log"), "w+")
        self.proc = subprocess.Popen(
            [BERTHD, "--data-root", self.data, "--exec-root", self.exec_root, "-H", self.url],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        client = docker.APIClient(base_url=self.url, version="1.41")
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("berthd exited: " + self.logtext())
            try:
                if client.ping():
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("berthd did not answer /_ping: " + self.logtext())
            time.sleep(0.05)
        client.close()

    def logtext(self):
        self.log.seek(0)
        return self.log.read()

    def make_busybox(self, ref="busybox:latest"):
        subprocess.run([os.path.join(SCRIPTS, "make-busybox-image"), "--host", self.url,
                        "--berth", BERTH, ref], check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def berthd():
    with tempfile.TemporaryDirectory(prefix="berth-compat-") as root:
        d = Daemon(root)
        try:
            yield d
        finally:
            d.stop()


@pytest.fixture
def client(berthd):
    c = docker.DockerClient(base_url=berthd.url, version="1.41")
    try:
        yield c
    finally:
        c.close()
