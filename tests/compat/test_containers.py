"""Docker SDK for Python (Debian's python3-docker) against berthd: the
container API (run, lifecycle, logs, exec, attach, archive, commit, ...).

One berthd per module (conftest `cdaemon`), with busybox:latest; `cclient`
removes the containers each test leaves. Polls carry deadlines (`until`)."""
import io
import re
import tarfile
import time

import docker
import pytest

BUSYBOX = "busybox:latest"
RFC3339NANO = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")


def until(what, fn, timeout=20):
    """Polls fn() until it returns a true value (returned), or fails."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for " + what)
        time.sleep(0.05)


def status(c):
    c.reload()
    return c.status


def sleeper(client, **kw):
    """A running container that waits for SIGTERM (exits 0 on it)."""
    c = client.containers.run(
        BUSYBOX, ["sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done"],
        detach=True, **kw)
    until("ready", lambda: b"ready" in c.logs())
    return c


def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# run ---------------------------------------------------------------------------

def test_run_foreground_output_and_remove(cclient):
    assert cclient.containers.run(BUSYBOX, "echo hello") == b"hello\n"
    assert cclient.containers.run(BUSYBOX, ["echo", "a b"], remove=True) == b"a b\n"
    cmd = ["sh", "-c", "echo out; echo err >&2"]
    assert cclient.containers.run(BUSYBOX, cmd, remove=True) == b"out\n"
    assert cclient.containers.run(BUSYBOX, cmd, stdout=False, stderr=True, remove=True) == b"err\n"
    both = cclient.containers.run(BUSYBOX, cmd, stdout=True, stderr=True, remove=True)
    assert sorted(both.splitlines()) == [b"err", b"out"]
    # Only the first (remove=False) run is left.
    left = cclient.containers.list(all=True)
    assert len(left) == 1
    assert left[0].attrs["Config"]["Cmd"] == ["echo", "hello"]


def test_run_nonzero_exit_raises_container_error(cclient):
    with pytest.raises(docker.errors.ContainerError) as e:
        cclient.containers.run(BUSYBOX, ["sh", "-c", "echo bad >&2; exit 3"], remove=True)
    assert e.value.exit_status == 3
    assert e.value.stderr == b"bad\n"
    assert "returned non-zero exit status 3" in str(e.value)
    assert cclient.containers.list(all=True) == []


def test_run_config_options(cclient):
    out = cclient.containers.run(
        BUSYBOX, ["sh", "-c", "echo $GREETING $OTHER; pwd; id -u; id -g; hostname"],
        environment={"GREETING": "hi", "OTHER": "x=y"}, working_dir="/tmp/wd",
        user="1234:5678", hostname="compat-host", name="compat-run",
        labels={"compat": "yes", "k": "v"}, remove=False)
    assert out.decode().split("\n") == ["hi x=y", "/tmp/wd", "1234", "5678", "compat-host", ""]
    c = cclient.containers.get("compat-run")
    assert c.name == "compat-run"
    assert c.labels == {"compat": "yes", "k": "v"}
    cfg = c.attrs["Config"]
    assert "GREETING=hi" in cfg["Env"] and "OTHER=x=y" in cfg["Env"]
    # The image (imported) has no Env: PATH is only in the process's env.
    assert cclient.containers.run(BUSYBOX, "sh -c 'echo $PATH'", remove=True).startswith(b"/usr/")
    assert cfg["WorkingDir"] == "/tmp/wd"
    assert cfg["User"] == "1234:5678"
    assert cfg["Hostname"] == "compat-host"
    # A named user from the image's /etc/passwd.
    assert cclient.containers.run(BUSYBOX, "id -un", user="nobody", remove=True) == b"nobody\n"


def test_run_entrypoint_and_command(cclient):
    assert cclient.containers.run(BUSYBOX, ["x", "y"], entrypoint=["echo", "ep"],
                                  remove=True) == b"ep x y\n"
    # Strings are split as a shell would (docker-py's split_command).
    assert cclient.containers.run(BUSYBOX, "'a  b' c", entrypoint="echo ep",
                                  remove=True) == b"ep a  b c\n"
    c = cclient.containers.create(BUSYBOX, "one two", entrypoint=["echo"])
    assert c.attrs["Config"]["Entrypoint"] == ["echo"]
    assert c.attrs["Config"]["Cmd"] == ["one", "two"]
    assert c.attrs["Path"] == "echo"
    assert c.attrs["Args"] == ["one", "two"]
    # The image's Cmd when none is given.
    d = cclient.containers.create(BUSYBOX)
    assert d.attrs["Config"]["Cmd"] == ["sh"]


def test_run_detach(cclient):
    c = cclient.containers.run(BUSYBOX, ["sh", "-c", "echo detached; exit 5"], detach=True)
    assert isinstance(c, docker.models.containers.Container)
    assert c.wait(timeout=30) == {"StatusCode": 5, "Error": None}
    assert c.logs() == b"detached\n"
    assert status(c) == "exited"
    assert c.attrs["State"]["ExitCode"] == 5


# lifecycle ---------------------------------------------------------------------

def test_create_start_wait(cclient):
    c = cclient.containers.create(BUSYBOX, ["sh", "-c", "exit 7"], name="cw")
    assert c.status == "created"
    st = c.attrs["State"]
    assert st["Running"] is False and st["Pid"] == 0 and st["StartedAt"].startswith("0001-")
    c.start()
    assert c.wait() == {"StatusCode": 7, "Error": None}
    assert status(c) == "exited"
    st = c.attrs["State"]
    assert st["ExitCode"] == 7 and st["Running"] is False
    assert not st["FinishedAt"].startswith("0001-")
    # wait on an exited container answers at once.
    assert c.wait(timeout=10)["StatusCode"] == 7
    # start again: runs again.
    c.start()
    assert c.wait()["StatusCode"] == 7


def test_stop_restart_kill(cclient):
    c = sleeper(cclient, name="lc")
    assert status(c) == "running"
    pid = c.attrs["State"]["Pid"]
    assert pid > 0
    c.stop(timeout=10)
    assert status(c) == "exited"
    assert c.attrs["State"]["ExitCode"] == 0  # the TERM trap
    c.restart(timeout=10)
    until("running after restart", lambda: status(c) == "running")
    assert c.attrs["State"]["Pid"] not in (0, pid)
    assert c.attrs["RestartCount"] == 0
    c.kill()
    assert c.wait()["StatusCode"] == 137
    assert status(c) == "exited"
    # kill with a named signal.
    c.start()
    until("running", lambda: status(c) == "running")
    c.kill(signal="SIGTERM")
    assert c.wait()["StatusCode"] == 0
    # stop of a stopped container is fine (304 for the API, no error here).
    c.stop()
    with pytest.raises(docker.errors.APIError) as e:
        c.kill()
    assert e.value.status_code == 409
    assert "is not running" in str(e.value)


def test_stop_timeout_kills(cclient):
    # sleep as PID 1 ignores SIGTERM: stop kills it after the timeout.
    c = cclient.containers.run(BUSYBOX, "sleep 1000", detach=True)
    until("running", lambda: status(c) == "running")
    t0 = time.monotonic()
    c.stop(timeout=1)
    assert time.monotonic() - t0 < 15
    assert c.wait()["StatusCode"] == 137


def test_remove(cclient):
    c = sleeper(cclient, name="rm-me")
    with pytest.raises(docker.errors.APIError) as e:
        c.remove()
    assert e.value.status_code == 409
    assert "You cannot remove a running container " + c.id in str(e.value)
    c.remove(force=True)
    assert cclient.containers.list(all=True) == []
    with pytest.raises(docker.errors.NotFound):
        cclient.containers.get("rm-me")
    with pytest.raises(docker.errors.NotFound) as e:
        c.remove()
    assert "No such container" in str(e.value)


def test_list_and_filters(cclient):
    run = sleeper(cclient, name="l-run", labels={"role": "server", "tier": "a"})
    ex = cclient.containers.run(BUSYBOX, "true", name="l-exited", labels={"role": "job"},
                                detach=True)
    ex.wait()
    created = cclient.containers.create(BUSYBOX, name="l-created")

    def names(**kw):
        return sorted(c.name for c in cclient.containers.list(**kw))

    assert names() == ["l-run"]
    assert names(all=True) == ["l-created", "l-exited", "l-run"]
    assert names(all=True, filters={"status": "exited"}) == ["l-exited"]
    assert names(all=True, filters={"status": "created"}) == ["l-created"]
    assert names(filters={"status": "running"}) == ["l-run"]
    assert names(all=True, filters={"name": "l-ex"}) == ["l-exited"]
    assert names(all=True, filters={"label": "role"}) == ["l-exited", "l-run"]
    assert names(all=True, filters={"label": "role=job"}) == ["l-exited"]
    assert names(all=True, filters={"label": ["role", "tier=a"]}) == ["l-run"]
    assert names(all=True, filters={"id": created.id[:12]}) == ["l-created"]
    assert names(all=True, filters={"exited": 0}) == ["l-exited"]
    assert [c.id for c in cclient.containers.list(all=True, limit=1)] == [created.id]
    # The summary (sparse) form.
    summary = cclient.containers.list(all=True, sparse=True, filters={"name": "l-run"})
    assert summary[0].attrs["Names"] == ["/l-run"]
    assert summary[0].attrs["State"] == "running"
    assert summary[0].attrs["Image"] == "busybox:latest"
    assert summary[0].attrs["Labels"] == {"role": "server", "tier": "a"}
    assert summary[0].attrs["Status"].startswith("Up ")
    assert run.id in [c.id for c in cclient.containers.list()]


def test_get_and_attrs(cclient):
    c = sleeper(cclient, name="attrs", labels={"a": "b"}, mem_limit="96m", tty=False)
    img = cclient.images.get(BUSYBOX)
    for ref in (c.id, c.id[:12], "attrs"):
        assert cclient.containers.get(ref).id == c.id
    g = cclient.containers.get("attrs")
    a = g.attrs
    assert a["Id"] == c.id and re.fullmatch(r"[0-9a-f]{64}", a["Id"])
    assert a["Name"] == "/attrs"
    assert a["Image"] == img.id
    assert g.image.id == img.id
    assert c.id.startswith(g.short_id)  # docker-py 5: 10 characters
    assert a["Created"].endswith("Z")
    assert a["Driver"] == "overlay2"
    assert a["Config"]["Image"] == BUSYBOX
    assert a["Config"]["Labels"] == {"a": "b"}
    assert a["Config"]["Tty"] is False
    assert a["Config"]["Hostname"] == c.id[:12]
    st = a["State"]
    assert st["Status"] == "running" and st["Running"] is True and st["Paused"] is False
    assert st["Pid"] > 0 and st["ExitCode"] == 0 and st["OOMKilled"] is False
    hc = a["HostConfig"]
    assert hc["Memory"] == 96 * 1024 * 1024
    assert hc["RestartPolicy"]["Name"] in ("", "no")
    assert hc["LogConfig"]["Type"] == "json-file"
    assert hc["NetworkMode"] in ("default", "bridge")
    assert a["LogPath"].endswith(c.id + "-json.log")
    assert isinstance(a["Mounts"], list)
    assert "NetworkSettings" in a
    assert a["GraphDriver"]["Name"] == "overlay2"


# logs --------------------------------------------------------------------------

def test_logs(cclient):
    c = cclient.containers.run(
        BUSYBOX, ["sh", "-c", "echo l1; echo l2; echo l3; echo e1 >&2"], detach=True)
    c.wait()
    assert c.logs(stderr=False) == b"l1\nl2\nl3\n"
    assert c.logs(stdout=False, stderr=True) == b"e1\n"
    assert sorted(c.logs().splitlines()) == [b"e1", b"l1", b"l2", b"l3"]
    t = c.logs(stderr=False, timestamps=True).splitlines()
    assert len(t) == 3
    for line, want in zip(t, [b"l1", b"l2", b"l3"]):
        assert RFC3339NANO.match(line), line
        assert line.endswith(b" " + want)
    o = cclient.containers.run(BUSYBOX, ["sh", "-c", "for i in 1 2 3 4 5; do echo n$i; done"],
                               detach=True)
    o.wait()
    assert o.logs(tail=2) == b"n4\nn5\n"
    assert o.logs(tail=0) == b""
    assert o.logs(tail="all") == b"n1\nn2\nn3\nn4\nn5\n"
    assert b"".join(o.logs(stream=True)) == b"n1\nn2\nn3\nn4\nn5\n"


def test_logs_follow(cclient):
    c = cclient.containers.run(
        BUSYBOX, ["sh", "-c", "echo first; while [ ! -f /go ]; do sleep 0.05; done; echo second"],
        detach=True)
    stream = c.logs(stream=True, follow=True)
    got = b""
    for chunk in stream:
        got += chunk
        if b"first" in got:
            break
    assert got == b"first\n"
    c.exec_run(["touch", "/go"])
    for chunk in stream:  # ends when the container exits
        got += chunk
    assert got == b"first\nsecond\n"
    assert c.wait()["StatusCode"] == 0


# exec --------------------------------------------------------------------------

def test_exec_run(cclient):
    c = sleeper(cclient)
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2; exit 4"])
    assert r.exit_code == 4
    assert sorted(r.output.splitlines()) == [b"err", b"out"]
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2"], stderr=False)
    assert r == (0, b"out\n")
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2"], stdout=False)
    assert r == (0, b"err\n")
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
    assert r.exit_code == 0
    assert r.output == (b"out\n", b"err\n")
    r = c.exec_run("sh -c 'echo $X $Y'", environment={"X": "ex", "Y": "why"})
    assert r == (0, b"ex why\n")
    assert c.exec_run("pwd", workdir="/tmp") == (0, b"/tmp\n")
    assert c.exec_run("id -u", user="1234") == (0, b"1234\n")
    assert c.exec_run("id -un", user="nobody") == (0, b"nobody\n")
    assert c.exec_run("tty", tty=True).output.strip().startswith(b"/dev/pts/")
    r = c.exec_run(["sh", "-c", "sleep 0.2; touch /exec-done"], detach=True)
    assert r.exit_code is None
    until("the detached exec", lambda: c.exec_run("test -f /exec-done").exit_code == 0)
    # dockerd: 126 for every exec that cannot start, the error in the output.
    r = c.exec_run("/does/not/exist")
    assert r.exit_code == 126
    assert b"no such file or directory" in r.output
    r = c.exec_run("does-not-exist")
    assert r.exit_code == 126
    assert b"executable file not found in $PATH" in r.output
    r = c.exec_run(["sh", "-c", "echo a; echo b"], stream=True)
    assert r.exit_code is None
    assert b"".join(r.output) == b"a\nb\n"


def test_exec_errors(cclient):
    c = cclient.containers.create(BUSYBOX, "true")
    with pytest.raises(docker.errors.APIError) as e:
        c.exec_run("true")
    assert e.value.status_code == 409
    assert "is not running" in str(e.value)
    with pytest.raises(docker.errors.NotFound):
        cclient.api.exec_inspect("0" * 64)


def test_exec_inspect(cclient):
    c = sleeper(cclient)
    ex = cclient.api.exec_create(c.id, ["sh", "-c", "exit 9"], user="nobody")
    info = cclient.api.exec_inspect(ex["Id"])
    assert info["Running"] is False and info["ExitCode"] is None
    assert info["ContainerID"] == c.id
    assert info["ProcessConfig"]["entrypoint"] == "sh"
    assert info["ProcessConfig"]["arguments"] == ["-c", "exit 9"]
    assert info["ProcessConfig"]["user"] == "nobody"
    cclient.api.exec_start(ex["Id"])
    info = cclient.api.exec_inspect(ex["Id"])
    assert info["Running"] is False and info["ExitCode"] == 9


# attach ------------------------------------------------------------------------

def test_attach_stream(cclient):
    c = cclient.containers.create(BUSYBOX, ["sh", "-c", "echo one; echo two >&2; echo three"])
    out = c.attach(stream=True, stdout=True, stderr=True)
    c.start()
    got = b"".join(out)
    assert sorted(got.splitlines()) == [b"one", b"three", b"two"]
    assert c.wait()["StatusCode"] == 0


def test_attach_running(cclient):
    c = cclient.containers.run(
        BUSYBOX, ["sh", "-c", "while [ ! -f /go ]; do sleep 0.05; done; echo after"], detach=True)
    until("running", lambda: status(c) == "running")
    out = c.attach(stream=True, stdout=True, stderr=True, logs=False)
    c.exec_run(["touch", "/go"])
    assert b"".join(out) == b"after\n"


# commit, diff, archive, export -------------------------------------------------

def test_commit_then_run(cclient):
    c = cclient.containers.run(BUSYBOX, ["sh", "-c", "echo committed > /marker"], detach=True)
    assert c.wait()["StatusCode"] == 0
    img = c.commit("compat/committed", "v1", message="the marker", author="compat",
                   changes=["ENV COMMITTED=1", "CMD [\"cat\", \"/marker\"]"])
    assert "compat/committed:v1" in img.tags
    assert img.attrs["Comment"] == "the marker"
    assert img.attrs["Author"] == "compat"
    assert img.attrs["Container"] == c.id
    assert "COMMITTED=1" in img.attrs["Config"]["Env"]
    assert img.attrs["Config"]["Cmd"] == ["cat", "/marker"]
    base = cclient.images.get(BUSYBOX)
    assert len(img.attrs["RootFS"]["Layers"]) == len(base.attrs["RootFS"]["Layers"]) + 1
    assert cclient.containers.run("compat/committed:v1", remove=True) == b"committed\n"
    assert cclient.containers.run(img.id, "sh -c 'echo $COMMITTED'", remove=True) == b"1\n"


def test_diff(cclient):
    c = cclient.containers.run(
        BUSYBOX, ["sh", "-c", "mkdir /newdir && echo x > /newdir/f && rm /etc/group && "
                              "echo more >> /etc/passwd"], detach=True)
    assert c.wait()["StatusCode"] == 0
    changes = {d["Path"]: d["Kind"] for d in c.diff()}
    assert changes.get("/newdir") == 1
    assert changes.get("/newdir/f") == 1
    assert changes.get("/etc/group") == 2
    assert changes.get("/etc/passwd") == 0
    assert changes.get("/etc") == 0
    fresh = cclient.containers.create(BUSYBOX, "true")
    assert not fresh.diff()


def test_put_and_get_archive(cclient):
    c = sleeper(cclient)
    data = tar_of({"hello.txt": b"hello archive\n", "sub/inner.txt": b"inner\n"})
    assert c.put_archive("/tmp", data) is True
    assert c.exec_run("cat /tmp/hello.txt /tmp/sub/inner.txt") == (0, b"hello archive\ninner\n")
    bits, stat = c.get_archive("/tmp/hello.txt")
    assert stat["name"] == "hello.txt"
    assert stat["size"] == len(b"hello archive\n")
    assert stat["mode"] & 0o777 == 0o644
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
        assert t.getnames() == ["hello.txt"]
        assert t.extractfile("hello.txt").read() == b"hello archive\n"
    bits, stat = c.get_archive("/tmp/sub")
    assert stat["name"] == "sub" and stat["mode"] & 0o20000000000  # os.ModeDir
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
        assert sorted(t.getnames()) == ["sub", "sub/inner.txt"]
    with pytest.raises(docker.errors.NotFound):
        c.get_archive("/does/not/exist")
    with pytest.raises(docker.errors.NotFound):
        c.put_archive("/does/not/exist", data)
    # A stopped container too: the file stays in its filesystem.
    c.stop()
    bits, stat = c.get_archive("/tmp/sub/inner.txt")
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
        assert t.extractfile("inner.txt").read() == b"inner\n"
    assert c.put_archive("/", tar_of({"stopped.txt": b"s\n"})) is True
    c.start()
    until("running", lambda: status(c) == "running")
    assert c.exec_run("cat /stopped.txt /tmp/hello.txt") == (0, b"s\nhello archive\n")


def test_export(cclient):
    c = cclient.containers.run(BUSYBOX, ["sh", "-c", "echo exported > /exported.txt"],
                               detach=True)
    c.wait()
    data = b"".join(c.export())
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        names = set(n.rstrip("/") for n in t.getnames())
        assert "exported.txt" in names
        assert "bin/busybox" in names
        assert "etc/passwd" in names
        assert t.extractfile("exported.txt").read() == b"exported\n"


# top, stats, rename, pause, update, prune ---------------------------------------

def test_top(cclient):
    c = cclient.containers.run(BUSYBOX, "sleep 1000", detach=True)
    until("running", lambda: status(c) == "running")
    top = c.top()
    assert "PID" in top["Titles"] and "CMD" in top["Titles"]
    cmd = top["Titles"].index("CMD")
    assert [p[cmd] for p in top["Processes"]] == ["sleep 1000"]
    top = c.top(ps_args="-o pid,comm")
    assert top["Titles"] == ["PID", "COMMAND"]
    assert [p[1] for p in top["Processes"]] == ["sleep"]
    c.kill()
    c.wait()
    with pytest.raises(docker.errors.APIError) as e:
        c.top()
    assert e.value.status_code == 409
    assert "is not running" in str(e.value)


def test_stats(cclient):
    c = sleeper(cclient, name="st", mem_limit="64m")
    s = c.stats(stream=False)
    assert s["id"] == c.id
    assert s["name"] == "/st"
    assert s["read"].endswith("Z") and not s["read"].startswith("0001-")
    assert s["memory_stats"]["usage"] > 0
    assert s["memory_stats"]["limit"] == 64 * 1024 * 1024
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] > 0
    assert s["pids_stats"]["current"] >= 1
    assert "precpu_stats" in s and "blkio_stats" in s
    # The streaming form: first two samples.
    gen = c.stats(stream=True, decode=True)
    first = next(gen)
    second = next(gen)
    assert first["id"] == c.id
    assert second["precpu_stats"]["cpu_usage"]["total_usage"] == \
        first["cpu_stats"]["cpu_usage"]["total_usage"]


def test_rename(cclient):
    c = cclient.containers.create(BUSYBOX, "true", name="old-name")
    cclient.containers.create(BUSYBOX, "true", name="taken")
    c.rename("new-name")
    c.reload()
    assert c.name == "new-name"
    assert cclient.containers.get("new-name").id == c.id
    with pytest.raises(docker.errors.NotFound):
        cclient.containers.get("old-name")
    with pytest.raises(docker.errors.APIError) as e:
        c.rename("taken")
    assert e.value.status_code == 409
    assert "is already in use" in str(e.value)
    # The old name is free again.
    assert cclient.containers.create(BUSYBOX, "true", name="old-name").name == "old-name"


def test_pause_unpause(cclient):
    c = sleeper(cclient)
    c.pause()
    assert status(c) == "paused"
    assert c.attrs["State"]["Paused"] is True and c.attrs["State"]["Running"] is True
    assert [x.id for x in cclient.containers.list(filters={"status": "paused"})] == [c.id]
    with pytest.raises(docker.errors.APIError) as e:
        c.pause()
    assert e.value.status_code == 409
    c.unpause()
    assert status(c) == "running"
    assert c.attrs["State"]["Paused"] is False
    with pytest.raises(docker.errors.APIError) as e:
        c.unpause()
    assert e.value.status_code == 409
    assert c.exec_run("true").exit_code == 0


def test_update(cclient):
    c = sleeper(cclient, mem_limit="128m")
    r = c.update(mem_limit="64m", memswap_limit="128m")
    assert r.get("Warnings") in (None, [])
    c.reload()
    assert c.attrs["HostConfig"]["Memory"] == 64 * 1024 * 1024
    assert c.attrs["HostConfig"]["MemorySwap"] == 128 * 1024 * 1024
    assert c.stats(stream=False)["memory_stats"]["limit"] == 64 * 1024 * 1024
    c.update(restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})
    c.reload()
    assert c.attrs["HostConfig"]["RestartPolicy"] == {"Name": "on-failure",
                                                      "MaximumRetryCount": 2}


def test_prune(cclient):
    running = sleeper(cclient)
    a = cclient.containers.run(BUSYBOX, "true", detach=True)
    b = cclient.containers.create(BUSYBOX, "true")
    a.wait()
    r = cclient.containers.prune()
    assert sorted(r["ContainersDeleted"]) == sorted([a.id, b.id])
    assert isinstance(r["SpaceReclaimed"], int)
    assert [c.id for c in cclient.containers.list(all=True)] == [running.id]
    r = cclient.containers.prune()
    assert r["ContainersDeleted"] in (None, [])
    assert r["SpaceReclaimed"] == 0


# errors ------------------------------------------------------------------------

def test_errors(cclient):
    with pytest.raises(docker.errors.NotFound) as e:
        cclient.containers.get("nope")
    assert e.value.status_code == 404
    assert "No such container: nope" in str(e.value)
    # create (not run: run would pull) of an unknown image.
    with pytest.raises(docker.errors.ImageNotFound) as e:
        cclient.containers.create("compat/unknown:1", "true")
    assert "No such image: compat/unknown:1" in str(e.value)
    cclient.containers.create(BUSYBOX, "true", name="dup")
    with pytest.raises(docker.errors.APIError) as e:
        cclient.containers.create(BUSYBOX, "true", name="dup")
    assert e.value.status_code == 409
    assert 'The container name "/dup" is already in use' in str(e.value)
    with pytest.raises(docker.errors.APIError) as e:
        cclient.containers.create(BUSYBOX, "true", name="bad/name")
    assert e.value.status_code == 400
    # A missing executable: start fails with 400, the exit code is 127.
    with pytest.raises(docker.errors.APIError) as e:
        cclient.containers.run(BUSYBOX, "/does/not/exist", name="noexec")
    assert e.value.status_code == 400
    assert "no such file or directory" in str(e.value)
    c = cclient.containers.get("noexec")
    assert c.attrs["State"]["ExitCode"] == 127
    assert c.status in ("created", "exited")
    with pytest.raises(docker.errors.NotFound):
        cclient.api.wait("nope")
    with pytest.raises(docker.errors.NotFound):
        cclient.api.logs("nope")
