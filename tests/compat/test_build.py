"""docker-py's images.build (the classic /build API) against berthd."""
import io
import os
import tarfile

import docker
import pytest



def make_context(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def test_build_path_tag_buildargs_labels(cdaemon, cclient, tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "FROM busybox\nARG WHO\nCOPY msg.txt /msg.txt\nRUN echo \"$WHO\" > /who\n"
        "ENV MODE=test\nCMD [\"cat\", \"/who\"]\n")
    (tmp_path / "msg.txt").write_text("from python\n")
    image, logs = cclient.images.build(path=str(tmp_path), tag="py/build:1",
                                       buildargs={"WHO": "docker-py"}, labels={"made": "py"},
                                       rm=True)
    lines = [l.get("stream", "") for l in logs]
    assert any(l.startswith("Step 1/") for l in lines)
    assert any("Successfully built" in l for l in lines)
    assert "py/build:1" in image.tags
    assert image.labels["made"] == "py"
    assert "MODE=test" in image.attrs["Config"]["Env"]
    out = cclient.containers.run("py/build:1", remove=True)
    assert out == b"docker-py\n"
    # cached rebuild: same image
    again, logs = cclient.images.build(path=str(tmp_path), tag="py/build:1",
                                       buildargs={"WHO": "docker-py"}, labels={"made": "py"})
    assert again.id == image.id
    assert any("Using cache" in l.get("stream", "") for l in logs)


def test_build_fileobj_custom_context_and_target(cdaemon, cclient):
    ctx = make_context({
        "Build.df": b"FROM busybox AS one\nRUN touch /one\nFROM one AS two\nRUN touch /two\n",
    })
    image, _ = cclient.images.build(fileobj=ctx, custom_context=True, dockerfile="Build.df",
                                    target="one", tag="py/target")
    out = cclient.containers.run(image.id, "ls /", remove=True)
    assert b"one" in out and b"two" not in out


def test_build_errors(cdaemon, cclient, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN echo failing && exit 2\n")
    # docker-py's rm defaults to False (a failed step's container is kept,
    # as docker's); with rm the failed container goes too.
    with pytest.raises(docker.errors.BuildError) as e:
        cclient.images.build(path=str(tmp_path), rm=True)
    assert "returned a non-zero code: 2" in str(e.value)
    (tmp_path / "Dockerfile").write_text("FROM busybox\nWHAT x\n")
    with pytest.raises((docker.errors.APIError, docker.errors.BuildError)) as e:
        cclient.images.build(path=str(tmp_path))
    assert "unknown instruction: WHAT" in str(e.value)
    assert cclient.containers.list(all=True) == []
