"""Shared helpers for the bench/run/* container benchmarks (see README.md).

A Bench object owns everything a benchmark creates: one temp dir, a private
berthd (and, when asked, a private dockerd with the containerd it starts, and
podman roots), the busybox image in each, the hugetlb v1 mount crun needs on
a hybrid cgroup host. Bench.close() (also run from atexit and on
SIGINT/SIGTERM/SIGHUP) removes all of it: containers (through each engine's
API, then by PID for what survives), daemons (by PID), mounts below the temp
dir, the cgroups of the containers it made, the temp dir.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(REPO, "scripts")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    raise SystemExit(f"bench/run: {msg}")


# ---------------------------------------------------------------- binaries

def find_berth_bins():
    """berthd/berth: $BERTHD / $BERTH, else $BERTH_BUILD (default REPO/build)."""
    build = os.environ.get("BERTH_BUILD", os.path.join(REPO, "build"))
    berthd = os.environ.get("BERTHD") or os.path.join(build, "src", "berthd", "berthd")
    berth = os.environ.get("BERTH") or os.path.join(build, "src", "berth", "berth")
    for name, p in (("berthd", berthd), ("berth", berth)):
        if not os.access(p, os.X_OK):
            die(f"{name} not found at {p} (build it; set BERTH_BUILD=DIR or {name.upper()}=PATH)")
    mon = os.path.join(os.path.dirname(os.path.dirname(berthd)), "monitor", "berth-monitor")
    if not os.access(mon, os.X_OK) and not os.access(
            os.path.join(os.path.dirname(berthd), "berth-monitor"), os.X_OK):
        die(f"berth-monitor not built next to {berthd} (ninja berth-monitor)")
    return berthd, berth


# ---------------------------------------------------------------- stats

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def p90(xs):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, int(round(0.9 * (len(s) - 1)))))]


def verdict(ok):
    return "met" if ok else "NOT met"


# ---------------------------------------------------------------- processes

def ping(sock):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(sock)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        data = s.recv(4096)
        s.close()
        return b" 200 " in data
    except OSError:
        return False


def wait_ping(sock, proc, timeout, name, logpath):
    deadline = time.monotonic() + timeout
    while not ping(sock):
        if proc.poll() is not None:
            die(f"{name} exited (status {proc.returncode}); see {logpath}")
        if time.monotonic() > deadline:
            die(f"{name} did not answer /_ping in {timeout} s")
        time.sleep(0.05)


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def pids_matching(pred):
    """PIDs whose argv (list of bytes) satisfies pred."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            argv = cmdline(int(d))
            if argv and pred(argv):
                out.append(int(d))
    return out


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def tree(pid):
    out = [pid]
    for c in children(pid):
        out += tree(c)
    return out


def mem_kib(pid):
    """(RSS, PSS) in KiB from /proc/PID/smaps_rollup; (0, 0) if gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def mem_total(pids):
    r = p = 0
    for pid in pids:
        a, b = mem_kib(pid)
        r += a
        p += b
    return r, p


def kill_pids(pids, sig=signal.SIGKILL):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def stop_proc(proc, timeout=60):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def timed(argv, stdout=subprocess.DEVNULL, check=True, what=None):
    """Runs argv; returns (seconds, stdout text or None)."""
    t = time.monotonic()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE)
    dt = time.monotonic() - t
    if check and r.returncode != 0:
        die(f"{what or ' '.join(argv)} failed (exit {r.returncode}): "
            f"{r.stderr.decode(errors='replace').strip()}")
    out = r.stdout.decode() if stdout == subprocess.PIPE else None
    return dt, out


def unmount_below(path):
    with open("/proc/self/mountinfo") as f:
        mps = [l.split()[4] for l in f]
    for mp in sorted((m for m in mps if m.startswith(path + "/")), reverse=True):
        subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)


CGROUP_V1 = "/sys/fs/cgroup"


def cgroup_dirs(rel):
    """The dirs of cgroup path rel (e.g. "berth/ID") in every hierarchy."""
    out = []
    if os.path.exists(os.path.join(CGROUP_V1, "cgroup.controllers")):
        roots = [CGROUP_V1]
    else:
        roots = [os.path.join(CGROUP_V1, d) for d in os.listdir(CGROUP_V1)
                 if os.path.isdir(os.path.join(CGROUP_V1, d))
                 and not os.path.islink(os.path.join(CGROUP_V1, d))]
    for r in roots:
        p = os.path.join(r, rel.strip("/"))
        if os.path.isdir(p):
            out.append(p)
    return out


def remove_cgroup(rel):
    """Kills what is left in cgroup rel and removes it (deepest first)."""
    for top in cgroup_dirs(rel):
        dirs = [dp for dp, _, _ in os.walk(top)]
        for d in sorted(dirs, key=len, reverse=True):
            try:
                with open(os.path.join(d, "cgroup.procs")) as f:
                    kill_pids(int(x) for x in f.read().split())
            except OSError:
                pass
            deadline = time.monotonic() + 5
            while True:
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        log(f"bench/run: could not remove cgroup {d}")
                        break
                    time.sleep(0.05)


# ---------------------------------------------------------------- the bench

class Bench:
    def __init__(self, name, keep=False):
        if os.getuid() != 0:
            die("must run as root")
        self.name = name
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix=f"berth-bench-{name}-")
        os.chmod(self.tmp, 0o755)
        self.procs = []           # (name, Popen) daemons, stopped in reverse
        self.berth = None         # argv prefix of the berth CLI
        self.docker = None        # argv prefix of the docker CLI
        self.podman = None        # argv prefix of podman
        self.berth_ids = set()    # containers made, for the fallback cleanup
        self.docker_ids = set()
        self.hugetlb_mounted = False
        self.docker_bridge = None
        self.docker_cgroup_parent = f"berth-bench-docker-{os.getpid()}"
        self.rootfs_tar = None
        self.closed = False
        atexit.register(self.close)
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, self._on_signal)

    def _on_signal(self, signum, _frame):
        raise SystemExit(f"bench/run: signal {signum}, cleaning up")

    def path(self, *p):
        return os.path.join(self.tmp, *p)

    # -- the busybox rootfs tar, shared by every engine
    def busybox_tar(self):
        if self.rootfs_tar:
            return self.rootfs_tar
        rootfs = self.path("busybox-rootfs")
        subprocess.run([os.path.join(SCRIPTS, "busybox-rootfs"), rootfs], check=True)
        tar = self.path("busybox.tar")
        # the same reproducible tar scripts/make-busybox-image feeds berth
        subprocess.run(["tar", "-C", rootfs, "--sort=name", "--numeric-owner", "--owner=0",
                        "--group=0", "--mtime=@0", "-cf", tar, "."], check=True)
        self.rootfs_tar = tar
        return tar

    # -- berthd
    def start_berthd(self, debug=False):
        berthd, berth = find_berth_bins()
        root = self.path("berth")
        sock = os.path.join(root, "exec", "berth.sock")
        os.makedirs(os.path.dirname(sock))
        self.berth_exec_root = os.path.join(root, "exec")
        self.berth_data_root = os.path.join(root, "data")
        logpath = self.path("berthd.log")
        argv = [berthd, "--data-root", self.berth_data_root, "--exec-root", self.berth_exec_root,
                "-H", "unix://" + sock, "--pidfile", os.path.join(root, "berthd.pid"),
                # A bridge of its own (other daemons may run beside it).
                "--bridge", "bb%x" % (os.getpid() & 0xffffff), "--bip",
                "10.%d.%d.1/24" % (100 + os.getpid() % 100, (os.getpid() >> 8) % 256),
                # Not the default discovery port 127.0.0.1:8500.
                "--discovery-addr", "none"]
        if debug:
            argv.append("--debug")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=open(logpath, "w"),
                             stderr=subprocess.STDOUT)
        self.procs.append(("berthd", p))
        self.berthd_proc = p
        wait_ping(sock, p, 30, "berthd", logpath)
        self.berth = [berth, "-H", "unix://" + sock]
        r = subprocess.run([os.path.join(SCRIPTS, "make-busybox-image"), "--host", "unix://" + sock,
                            "--berth", berth], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            die(f"make-busybox-image failed: {r.stderr.decode().strip()}")
        return self.berth

    def berth_monitor_pids(self):
        key = self.berth_exec_root.encode()
        return pids_matching(lambda a: a[0].endswith(b"berth-monitor") and any(key in x for x in a))

    def berth_pids(self):
        """berthd and every berth-monitor of this bench's berthd."""
        return [self.berthd_proc.pid] + self.berth_monitor_pids()

    # -- dockerd (Debian's docker.io 20.10 with the containerd it starts)
    def start_dockerd(self, bridge=None):
        """bridge: (name, "a.b.c.1/24") to give dockerd a bridge of its own
        (made here, removed by close()); without it dockerd runs --bridge=none.
        With a bridge dockerd still touches no iptables (--iptables=false,
        --ip-forward=false): published ports go through its userland proxy."""
        if not shutil.which("dockerd") or not os.access("/usr/bin/docker", os.X_OK):
            die("dockerd or /usr/bin/docker not found (apt-get install docker.io)")
        d = self.path("docker")
        os.makedirs(d)
        sock = os.path.join(d, "docker.sock")
        self.docker_exec_root = os.path.join(d, "exec")
        logpath = self.path("dockerd.log")
        net = ["--bridge=none", "--userland-proxy=false"]
        if bridge:
            name, cidr = bridge
            subprocess.run(["ip", "link", "add", name, "type", "bridge"], check=True)
            self.docker_bridge = name
            subprocess.run(["ip", "addr", "add", cidr, "dev", name], check=True)
            subprocess.run(["ip", "link", "set", name, "up"], check=True)
            net = ["--bridge=" + name, "--ip-forward=false"]
        p = subprocess.Popen(["dockerd", "--data-root", os.path.join(d, "data"),
                              "--exec-root", self.docker_exec_root, "-H", "unix://" + sock,
                              "--pidfile", os.path.join(d, "dockerd.pid")] + net + [
                              "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                              "--log-level=warn",
                              "--cgroup-parent", "/" + self.docker_cgroup_parent],
                             stdin=subprocess.DEVNULL, stdout=open(logpath, "w"),
                             stderr=subprocess.STDOUT)
        self.procs.append(("dockerd", p))
        self.dockerd_proc = p
        wait_ping(sock, p, 60, "dockerd", logpath)
        self.docker = ["/usr/bin/docker", "-H", "unix://" + sock]
        timed(self.docker + ["import", "-c", 'CMD ["sh"]', self.busybox_tar(), "busybox:latest"],
              what="docker import")
        return self.docker

    def containerd_pids(self):
        """dockerd's containerd and the shims that talk to it."""
        key = self.docker_exec_root.encode()
        return pids_matching(lambda a: (a[0].endswith(b"containerd")
                                        or b"containerd-shim" in a[0])
                             and any(key in x for x in a))

    def docker_pids(self):
        return [self.dockerd_proc.pid] + self.containerd_pids()

    def shim_pids(self):
        key = self.docker_exec_root.encode()
        return pids_matching(lambda a: b"containerd-shim" in a[0] and any(key in x for x in a))

    # -- podman (own --root/--runroot); None if it does not work here
    def setup_podman(self):
        if not shutil.which("podman"):
            return "podman not installed"
        d = self.path("podman")
        os.makedirs(d)
        conf = os.path.join(d, "containers.conf")
        with open(conf, "w") as f:
            # no systemd, no journald, no CNI network setup for --network none
            f.write('[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
                    f'events_logfile_path = "{d}/events.log"\n'
                    '[containers]\nlog_driver = "k8s-file"\n')
        self.podman_env = dict(os.environ, CONTAINERS_CONF=conf)
        self.podman = ["podman", "--root", os.path.join(d, "root"),
                       "--runroot", os.path.join(d, "runroot"),
                       "--tmpdir", os.path.join(d, "tmp"),
                       "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                       "--storage-driver", "overlay"]
        r = subprocess.run(self.podman + ["import", "-q", "-c", 'CMD ["sh"]', self.busybox_tar(),
                                          "localhost/busybox:latest"],
                           env=self.podman_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            self.podman = None
            return f"podman import failed: {r.stderr.decode().strip()[-300:]}"
        return None

    # -- crun's bundle and the hugetlb v1 mount it needs on hybrid hosts
    def crun_bundle(self):
        bundle = self.path("bundle")
        subprocess.run([os.path.join(SCRIPTS, "make-busybox-bundle"), bundle, "--runtime",
                        shutil.which("crun")], check=True, stdout=subprocess.DEVNULL)
        cfg_path = os.path.join(bundle, "config.json")
        with open(cfg_path) as f:
            cfg = json.load(f)
        cfg["process"]["args"] = ["true"]
        cfg["process"]["terminal"] = False
        with open(cfg_path, "w") as f:
            json.dump(cfg, f, indent=2)
        d = "/sys/fs/cgroup/hugetlb"
        if os.path.isdir("/sys/fs/cgroup/unified") and not os.path.ismount(d):
            os.makedirs(d, exist_ok=True)
            subprocess.run(["mount", "-t", "cgroup", "-o", "hugetlb", "cgroup", d], check=True)
            self.hugetlb_mounted = True
        return bundle

    # -- container ID bookkeeping (for cleanup)
    def track(self, engine, cid):
        (self.berth_ids if engine == "berth" else self.docker_ids).add(cid.strip())

    # -- cleanup
    def _rm_all(self, cli, env=None):
        try:
            r = subprocess.run(cli + ["ps", "-aq", "--no-trunc"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, timeout=60, env=env)
            ids = r.stdout.decode().split()
            if ids:
                subprocess.run(cli + ["rm", "-f"] + ids, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=600, env=env)
        except (OSError, subprocess.SubprocessError):
            pass

    def close(self):
        if self.closed:
            return
        self.closed = True
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        running = {n for n, p in self.procs if p.poll() is None}
        if self.berth and "berthd" in running:
            self._rm_all(self.berth)
        if self.docker and "dockerd" in running:
            self._rm_all(self.docker)
        if self.podman:
            self._rm_all(self.podman, env=self.podman_env)
        berth_left = self.berth_monitor_pids() if self.berth else []
        shims_left = self.shim_pids() if self.docker else []
        for _, p in reversed(self.procs):
            stop_proc(p)
        # what outlived its daemon: monitors and shims (by PID), and the
        # containers' processes (through their cgroups)
        if self.berth:
            kill_pids(berth_left + self.berth_monitor_pids())
        if self.docker:
            kill_pids(shims_left + self.containerd_pids())
        for cid in self.berth_ids:
            remove_cgroup(f"berth/{cid}")
        for cid in self.docker_ids:
            remove_cgroup(f"{self.docker_cgroup_parent}/{cid}")
        if self.docker:
            remove_cgroup(self.docker_cgroup_parent)
        if self.docker_bridge:
            subprocess.run(["ip", "link", "del", self.docker_bridge], stderr=subprocess.DEVNULL)
        unmount_below(self.tmp)
        if self.hugetlb_mounted:
            subprocess.run(["umount", "/sys/fs/cgroup/hugetlb"])
            try:
                os.rmdir("/sys/fs/cgroup/hugetlb")
            except OSError:
                pass
        if self.keep:
            log(f"bench/run: kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
