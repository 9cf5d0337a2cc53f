"""Docker SDK for Python (Debian's python3-docker) against berthd: the
volume API (create, inspect, list with filters, remove, prune) and
containers using volumes, binds and --volumes-from.

One berthd per module (conftest `cdaemon`); `vclient` removes the
containers and volumes each test leaves."""
import docker
import pytest

BUSYBOX = "busybox:latest"


@pytest.fixture
def vclient(cclient):
    try:
        yield cclient
    finally:
        for ctr in cclient.containers.list(all=True):
            try:
                ctr.remove(force=True)
            except docker.errors.APIError:
                pass
        for v in cclient.volumes.list():
            try:
                v.remove(force=True)
            except docker.errors.APIError:
                pass


def test_create_inspect_list_remove(vclient, cdaemon):
    v = vclient.volumes.create("pyvol", labels={"team": "a"})
    assert v.name == "pyvol"
    attrs = vclient.api.inspect_volume("pyvol")
    assert attrs["Driver"] == "local"
    assert attrs["Scope"] == "local"
    assert attrs["Labels"] == {"team": "a"}
    assert attrs["Mountpoint"] == cdaemon.data + "/volumes/pyvol/_data"
    anon = vclient.api.create_volume()
    assert len(anon["Name"]) == 64
    assert anon["Labels"] is None and anon["Options"] is None
    names = sorted(x.name for x in vclient.volumes.list(filters={"label": "team=a"}))
    assert names == ["pyvol"]
    names = sorted(x.name for x in vclient.volumes.list(filters={"name": "pyv"}))
    assert names == ["pyvol"]
    v.remove()
    with pytest.raises(docker.errors.NotFound) as e:
        vclient.volumes.get("pyvol")
    assert "no such volume" in str(e.value)
    with pytest.raises(docker.errors.APIError) as e:
        vclient.volumes.create("bad/name")
    assert e.value.status_code == 400
    with pytest.raises(docker.errors.APIError) as e:
        vclient.volumes.create("optvol", driver_opts={"foo": "bar"})
    assert 'invalid option: "foo"' in str(e.value)


def test_in_use_refused_with_409_then_prune(vclient):
    c = vclient.containers.create(BUSYBOX, "true", volumes={"used": {"bind": "/data", "mode": "rw"}})
    vclient.volumes.create("free")
    with pytest.raises(docker.errors.APIError) as e:
        vclient.api.remove_volume("used")
    assert e.value.status_code == 409
    assert "volume is in use - [" + c.id + "]" in str(e.value)
    dangling = sorted(v["Name"] for v in vclient.api.volumes(filters={"dangling": True})["Volumes"])
    assert dangling == ["free"]
    report = vclient.volumes.prune()
    assert report["VolumesDeleted"] == ["free"]
    assert report["SpaceReclaimed"] == 0
    c.remove(v=True)
    vclient.volumes.get("used")  # named: kept by rm -v


def test_run_with_volumes_binds_and_volumes_from(vclient, tmp_path):
    host = tmp_path / "h"
    host.mkdir()
    (host / "f").write_text("from-host")
    out = vclient.containers.run(
        BUSYBOX, ["sh", "-c", "cat /h/f; echo data >/data/f; touch /h/x 2>&1 || true"],
        volumes={str(host): {"bind": "/h", "mode": "ro"}, "pydata": {"bind": "/data", "mode": "rw"}},
        remove=True)
    assert b"from-host" in out
    assert b"Read-only file system" in out
    src = vclient.containers.create(BUSYBOX, "true", volumes=["pydata:/data"])
    out = vclient.containers.run(BUSYBOX, ["cat", "/data/f"], volumes_from=[src.id], remove=True)
    assert out == b"data\n"
    mounts = vclient.api.inspect_container(src.id)["Mounts"]
    assert mounts == [{"Type": "volume", "Name": "pydata",
                       "Source": vclient.api.inspect_volume("pydata")["Mountpoint"],
                       "Destination": "/data", "Driver": "local", "Mode": "z", "RW": True,
                       "Propagation": ""}]


def test_mount_api_and_anonymous_volume_removed_with_v(vclient):
    c = vclient.containers.create(
        BUSYBOX, "true",
        mounts=[docker.types.Mount("/m", None, type="volume"),
                docker.types.Mount("/t", None, type="tmpfs")])
    mounts = {m["Destination"]: m for m in vclient.api.inspect_container(c.id)["Mounts"]}
    anon = mounts["/m"]["Name"]
    assert len(anon) == 64 and mounts["/m"]["Mode"] == "z"
    assert mounts["/t"]["Type"] == "tmpfs"
    c.remove(v=True)
    with pytest.raises(docker.errors.NotFound):
        vclient.volumes.get(anon)
