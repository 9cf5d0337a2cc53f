"""Docker SDK for Python (Debian's python3-docker) against berthd: system
calls and the image API."""
import io
import tarfile

import docker
import pytest


def test_ping_version_info(client, berthd):
    assert client.ping() is True
    v = client.version()
    assert v["ApiVersion"] == "1.41"
    assert v["Os"] == "linux"
    assert v["MinAPIVersion"] == "1.24"
    info = client.info()
    assert info["Images"] == 0
    assert info["DockerRootDir"] == berthd.data
    assert info["Driver"] == "overlay2"
    berthd.make_busybox()
    assert client.info()["Images"] == 1


def test_version_negotiation(berthd):
    c = docker.DockerClient(base_url=berthd.url, version="auto")
    assert c.api.api_version == "1.41"
    c.close()


def test_images_list_get(client, berthd):
    berthd.make_busybox()
    imgs = client.images.list()
    assert len(imgs) == 1
    img = imgs[0]
    assert img.tags == ["busybox:latest"]
    assert img.id.startswith("sha256:") and len(img.id) == 71
    same = client.images.get("busybox")
    assert same.id == img.id
    assert same.attrs["Config"]["Cmd"] == ["sh"]
    assert same.attrs["Os"] == "linux"
    assert same.short_id == img.id[:17]  # docker-py: "sha256:" + 10 hex
    assert client.images.list(name="busybox")[0].id == img.id
    assert client.images.list(name="nothing") == []
    assert client.images.list(filters={"dangling": True}) == []
    with pytest.raises(docker.errors.ImageNotFound) as e:
        client.images.get("nope")
    assert "No such image: nope" in str(e.value)


def test_tag_and_remove(client, berthd):
    berthd.make_busybox()
    img = client.images.get("busybox")
    assert img.tag("compat/tagged", "v1") is True
    img.reload()
    assert sorted(img.tags) == ["busybox:latest", "compat/tagged:v1"]
    with pytest.raises(docker.errors.APIError) as e:
        client.images.remove(img.id)
    assert e.value.status_code == 409
    assert "must be forced" in str(e.value)
    client.images.remove("compat/tagged:v1")
    assert client.images.get("busybox").tags == ["busybox:latest"]
    client.images.remove("busybox")
    assert client.images.list(all=True) == []
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.remove("busybox")


def test_history(client, berthd):
    berthd.make_busybox()
    h = client.images.get("busybox").history()
    assert len(h) == 1
    assert h[0]["Id"] == client.images.get("busybox").id
    assert h[0]["Comment"] == "busybox-static from the host"
    assert h[0]["Size"] > 1000000
    assert isinstance(h[0]["Created"], int)


def test_save_and_load(client, berthd):
    berthd.make_busybox()
    img = client.images.get("busybox")
    data = b"".join(img.save(named=True))
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        names = t.getnames()
        assert "manifest.json" in names
        assert img.id[len("sha256:"):] + ".json" in names
    client.images.remove("busybox")
    assert client.images.list(all=True) == []
    loaded = client.images.load(data)
    assert [i.id for i in loaded] == [img.id]
    assert client.images.get("busybox:latest").id == img.id


def test_load_garbage_is_an_api_error(client):
    with pytest.raises(docker.errors.APIError):
        client.images.load(b"this is not a tar archive" * 100)
    assert client.images.list(all=True) == []


def test_prune(client, berthd):
    berthd.make_busybox()
    berthd.make_busybox("compat/two:1")
    client.images.remove("compat/two:1", force=True)
    r = client.images.prune()
    assert "ImagesDeleted" in r and "SpaceReclaimed" in r
    assert len(client.images.list()) == 1


def test_df_and_events(client, berthd):
    import time
    berthd.make_busybox()
    df = client.df()
    assert df["LayersSize"] > 1000000
    assert len(df["Images"]) == 1
    since = int(time.time()) - 1
    client.images.get("busybox").tag("compat/ev", "1")
    evs = list(client.events(since=since, until=int(time.time()) + 1, decode=True,
                             filters={"event": "tag"}))
    assert any(e["Action"] == "tag" and e["Actor"]["Attributes"]["name"] == "compat/ev:1" for e in evs)
