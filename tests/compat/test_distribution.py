"""python3-docker's images.pull/push and login against berthd, with Debian's
docker-registry (htpasswd users) on a free loopback port, started and
stopped (by PID) by the fixture."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import docker
import pytest


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def registry():
    with tempfile.TemporaryDirectory(prefix="berth-compat-reg-") as d:
        subprocess.run(["htpasswd", "-Bbc", os.path.join(d, "htpasswd"), "alice", "alicepw"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        with open(os.path.join(d, "config.yml"), "w") as f:
            f.write("version: 0.1\nlog: {level: warn}\n"
                    "storage: {filesystem: {rootdirectory: %s/data}}\n"
                    "http: {addr: 127.0.0.1:%d}\n"
                    "auth: {htpasswd: {realm: t, path: %s/htpasswd}}\n" % (d, port, d))
        log = open(os.path.join(d, "log"), "w")
        proc = subprocess.Popen(["docker-registry", "serve", os.path.join(d, "config.yml")],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/v2/" % port, timeout=2)
                    break
                except urllib.error.HTTPError:
                    break  # 401: it answers
                except Exception:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("docker-registry did not start")
                    time.sleep(0.05)
            yield "127.0.0.1:%d" % port
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def test_login_push_pull(cdaemon, cclient, registry):
    with pytest.raises(docker.errors.APIError) as e:
        cclient.login("alice", "wrong", registry=registry, reauth=True)
    assert "401 Unauthorized" in str(e.value)
    r = cclient.login("alice", "alicepw", registry=registry, reauth=True)
    assert r["Status"] == "Login Succeeded"
    auth = {"username": "alice", "password": "alicepw"}
    img = cclient.images.get("busybox:latest")
    repo = registry + "/alice/py"
    assert img.tag(repo, "1")
    lines = list(cclient.images.push(repo, "1", auth_config=auth, stream=True, decode=True))
    assert not [l for l in lines if "error" in l], lines
    assert any("aux" in l and l["aux"]["Tag"] == "1" for l in lines)
    cclient.images.remove(repo + ":1")
    pulled = cclient.images.pull(repo, tag="1", auth_config=auth)
    assert pulled.id == img.id
    assert any(d.startswith(repo + "@sha256:") for d in pulled.attrs["RepoDigests"])


def test_pull_errors(cdaemon, cclient, registry):
    auth = {"username": "alice", "password": "alicepw"}
    with pytest.raises(docker.errors.NotFound) as e:
        cclient.images.pull(registry + "/alice/none", tag="1", auth_config=auth)
    assert "manifest unknown" in str(e.value)
    with pytest.raises(docker.errors.APIError) as e:
        cclient.images.pull(registry + "/alice/none", tag="1")
    assert "no basic auth credentials" in str(e.value)
