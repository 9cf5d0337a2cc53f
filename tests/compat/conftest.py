"""Fixtures for the Docker API compatibility tests (Debian's python3-docker,
run with /usr/bin/python3 -m pytest).

Each test gets its own berthd (BERTHD, default build/src/berthd/berthd) with
its own --data-root, --exec-root and unix socket in a temp dir; it is
stopped by PID after the test, even on failure.

The container tests share one berthd per module (`cdaemon`, with
busybox:latest made once); `cclient` removes every container after each
test. On teardown the daemon is stopped, then what is left of its containers
(monitors survive berthd by design) is killed by the PIDs they recorded, the
runtime state deleted and the mounts under the root unmounted.
"""
import atexit
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

# docker-py (and berth's CLI: BERTH_CONFIG, else DOCKER_CONFIG) read the
# user's ~/.docker/config.json (credentials, proxies, HTTP headers): point
# them at an empty dir of this session's, before docker is imported.
_DOCKER_CONFIG = tempfile.mkdtemp(prefix="berth-compat-dockercfg-")
atexit.register(shutil.rmtree, _DOCKER_CONFIG, ignore_errors=True)
os.environ["DOCKER_CONFIG"] = _DOCKER_CONFIG
os.environ.pop("BERTH_CONFIG", None)

import docker  # noqa: E402
import pytest  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NFT_PY = os.path.join(REPO, "tests/e2e/lib/nft.py")
BERTHD = os.environ.get("BERTHD", os.path.join(REPO, "build/src/berthd/berthd"))
BERTH = os.environ.get("BERTH", os.path.join(REPO, "build/src/berth/berth"))
SCRIPTS = os.environ.get("BERTH_SCRIPTS_DIR", os.path.join(REPO, "scripts"))
RUNTIME = os.environ.get("BERTH_RUNTIME", os.path.join(REPO, "build/src/runtime-cli/berth-runtime"))


class Daemon:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.exec_root = os.path.join(root, "exec")
        self.sock = os.path.join(self.exec_root, "berth.sock")
        self.url = "unix://" + self.sock
        self.log = open(os.path.join(root, "berthd.log"), "w+")
        # A bridge, subnet and nft table of its own (tests run beside other
        # daemons); removed by stop() even when berthd died.
        tag = "%05x" % (os.getpid() & 0xfffff) + "%03x" % random.randrange(4096)
        self.bridge = "bc" + tag
        self.nft_table = "berth_" + self.bridge
        self.subnet_prefix = "10.%d.%d" % (100 + random.randrange(100), random.randrange(256))
        # User-defined networks without --subnet: /28s of a /24 of its own;
        # user_prefix: a 10.x.y for tests giving --subnet themselves.
        self.pool_prefix = "10.%d.%d" % (100 + random.randrange(100), random.randrange(256))
        self.user_prefix = "10.%d.%d" % (100 + random.randrange(100), random.randrange(256))
        self.proc = subprocess.Popen(
            [BERTHD, "--data-root", self.data, "--exec-root", self.exec_root, "-H", self.url,
             "--discovery-addr", "127.0.0.1:0",
             "--bridge", self.bridge, "--bip", self.subnet_prefix + ".1/24",
             "--nft-table", self.nft_table,
             "--default-address-pool", "base=%s.0/24,size=28" % self.pool_prefix,
             # The embedded DNS forwards nowhere: no test query leaves the host.
             "--dns-upstream", "none"],
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
        self.kill_containers()
        self.unmount()
        subprocess.run(["/usr/bin/python3", NFT_PY, "delete table ip " + self.nft_table],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bridges = [self.bridge]
        for f in glob.glob(os.path.join(self.data, "network/networks/*.json")):
            try:
                bridges.append(json.load(open(f))["Bridge"])
            except (OSError, ValueError, KeyError):
                pass
        for br in bridges:
            subprocess.run(["ip", "link", "del", br],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_containers(self):
        """SIGKILL to every monitor and container init left under the exec
        root (by the PIDs they recorded), then the runtime's state."""
        pids = []
        for f in glob.glob(os.path.join(self.exec_root, "containers/*/monitor.pid")) + \
                glob.glob(os.path.join(self.exec_root, "containers/*/exec/*/monitor.pid")):
            try:
                pids.append(int(open(f).read().strip()))
            except (OSError, ValueError):
                pass
        states = glob.glob(os.path.join(self.exec_root, "runtime/*/state.json"))
        for st in states:
            try:
                pids.append(int(json.load(open(st)).get("pid") or 0))
            except (OSError, ValueError, AttributeError):
                pass
        for p in pids:
            if p > 0:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        if states and os.access(RUNTIME, os.X_OK):
            for st in states:
                subprocess.run([RUNTIME, "--root", os.path.join(self.exec_root, "runtime"),
                                "delete", "--force", os.path.basename(os.path.dirname(st))],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def unmount(self):
        mounts = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                mp = line.split()[4]
                if mp == self.root or mp.startswith(self.root + "/"):
                    mounts.append(mp)
        for mp in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)


def daemon_in_tempdir():
    with tempfile.TemporaryDirectory(prefix="berth-compat-") as root:
        os.chmod(root, 0o755)
        d = Daemon(root)
        try:
            yield d
        finally:
            d.stop()


@pytest.fixture
def berthd():
    yield from daemon_in_tempdir()


@pytest.fixture(scope="module")
def cdaemon():
    """One berthd for a module of container tests, with busybox:latest."""
    gen = daemon_in_tempdir()
    d = next(gen)
    try:
        d.make_busybox()
        yield d
    finally:
        gen.close()


@pytest.fixture
def cclient(cdaemon):
    """A DockerClient on the module's daemon; removes every container the
    test left (and images other than busybox:latest)."""
    c = docker.DockerClient(base_url=cdaemon.url, version="1.41", timeout=120)
    try:
        yield c
    finally:
        try:
            for ctr in c.containers.list(all=True):
                try:
                    ctr.remove(force=True)
                except docker.errors.APIError:
                    pass
            for img in c.images.list():
                if "busybox:latest" not in img.tags:
                    try:
                        c.images.remove(img.id, force=True)
                    except docker.errors.APIError:
                        pass
        finally:
            c.close()


@pytest.fixture
def client(berthd):
    c = docker.DockerClient(base_url=berthd.url, version="1.41")
    try:
        yield c
    finally:
        c.close()
