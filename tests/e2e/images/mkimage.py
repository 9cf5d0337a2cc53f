#!/usr/bin/python3
"""Test images made from scratch, without Docker (Debian's /usr/bin/python3).

  mkimage.py layer OUT.tar NAME=SRC...      a layer tar: NAME inside, content
                                            of host file SRC (or "@text" for
                                            literal text)
  mkimage.py datalayer OUT.tar NAME SIZE SEED
                                            one file of SIZE bytes of
                                            incompressible data, made
                                            deterministically from SEED
  mkimage.py hostile KIND OUT.tar OUTSIDE   a hostile layer; KIND is
      traversal  "../../…/OUTSIDE/pwned" (walks out of any directory)
      symlink    "esc" -> OUTSIDE (absolute), then "esc/pwned"
      relsymlink "esc" -> "../../…/OUTSIDE", then "esc/pwned"
      hardlink   "hl" hard link to "../../…/OUTSIDE/target"
      absolute   "/OUTSIDE/abs" (must land inside the layer)
  mkimage.py archive OUT.tar [--format docker|oci] [--gzip] [--tag REF]...
             [--label K=V]... [--cmd JSON] [--created RFC3339] LAYER.tar...
                                            a docker-archive (docker save) or
                                            an OCI image layout tar; prints
                                            the image ID (sha256 of config)
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

UP = "../" * 16


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def add_bytes(tar, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.mtime = 1700000000
    tar.addfile(ti, io.BytesIO(data))


def cmd_layer(out, specs):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for spec in specs:
            name, src = spec.split("=", 1)
            if src.startswith("@"):
                data = src[1:].encode()
            else:
                with open(src, "rb") as f:
                    data = f.read()
            add_bytes(tar, name, data, 0o755 if name.startswith("bin/") else 0o644)


class DataStream(io.RawIOBase):
    """SIZE bytes from a seeded SHAKE-256 stream: incompressible, fast,
    deterministic."""

    def __init__(self, size, seed):
        self.left = size
        self.seed = seed.encode()
        self.counter = 0

    def readable(self):
        return True

    def readinto(self, b):
        if self.left <= 0:
            return 0
        n = min(len(b), self.left, 1 << 20)
        chunk = hashlib.shake_256(self.seed + self.counter.to_bytes(8, "big")).digest(n)
        self.counter += 1
        b[:n] = chunk
        self.left -= n
        return n


def cmd_datalayer(out, name, size, seed):
    size = int(size)
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        ti = tarfile.TarInfo(name)
        ti.size = size
        ti.mode = 0o644
        ti.mtime = 1700000000
        tar.addfile(ti, io.BufferedReader(DataStream(size, seed), 1 << 20))


def cmd_hostile(kind, out, outside):
    rel = outside.lstrip("/")
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
        add_bytes(tar, "ok.txt", b"harmless\n")
        if kind == "traversal":
            add_bytes(tar, UP + rel + "/pwned", b"escaped\n")
        elif kind in ("symlink", "relsymlink"):
            ti = tarfile.TarInfo("esc")
            ti.type = tarfile.SYMTYPE
            ti.linkname = outside if kind == "symlink" else UP + rel
            tar.addfile(ti)
            add_bytes(tar, "esc/pwned", b"escaped\n")
        elif kind == "hardlink":
            ti = tarfile.TarInfo("hl")
            ti.type = tarfile.LNKTYPE
            ti.linkname = UP + rel + "/target"
            tar.addfile(ti)
        elif kind == "absolute":
            add_bytes(tar, "/" + rel + "/abs", b"absolute\n")
        else:
            sys.exit("unknown hostile kind " + kind)


def cmd_archive(out, args):
    fmt, gz, tags, labels, cmd, layers = "docker", False, [], {}, None, []
    created = "2023-11-14T22:13:20Z"
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--format":
            fmt = args[i + 1]; i += 2
        elif a == "--gzip":
            gz = True; i += 1
        elif a == "--tag":
            tags.append(args[i + 1]); i += 2
        elif a == "--label":
            k, v = args[i + 1].split("=", 1); labels[k] = v; i += 2
        elif a == "--created":
            created = args[i + 1]; i += 2
        elif a == "--cmd":
            cmd = json.loads(args[i + 1]); i += 2
        else:
            layers.append(a); i += 1
    diff_ids, blobs = [], []  # blobs: (digest hex, path or bytes, media)
    for path in layers:
        diff = sha256_file(path)
        diff_ids.append("sha256:" + diff)
        if gz:
            data = gzip.compress(open(path, "rb").read(), mtime=0)
            blobs.append((hashlib.sha256(data).hexdigest(), data))
        else:
            blobs.append((diff, path))
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": cmd or ["sh"], "Labels": labels or None},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": created, "created_by": "mkimage.py layer %d" % n}
                    for n in range(len(layers))],
    }
    cbytes = json.dumps(config, separators=(",", ":")).encode()
    cid = hashlib.sha256(cbytes).hexdigest()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        def add_blob(name, src):
            if isinstance(src, bytes):
                add_bytes(tar, name, src)
            else:
                ti = tar.gettarinfo(src, name)
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                ti.mtime = 1700000000
                with open(src, "rb") as f:
                    tar.addfile(ti, f)
        if fmt == "docker":
            names = []
            for d, src in blobs:
                name = d + "/layer.tar"
                add_blob(name, src)
                names.append(name)
            add_bytes(tar, cid + ".json", cbytes)
            manifest = [{"Config": cid + ".json", "RepoTags": tags or None, "Layers": names}]
            add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
        else:
            add_bytes(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            lm = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else "")
            ldescs = []
            for d, src in blobs:
                add_blob("blobs/sha256/" + d, src)
                size = len(src) if isinstance(src, bytes) else os.path.getsize(src)
                ldescs.append({"mediaType": lm, "digest": "sha256:" + d, "size": size})
            add_bytes(tar, "blobs/sha256/" + cid, cbytes)
            man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                              "digest": "sha256:" + cid, "size": len(cbytes)},
                   "layers": ldescs}
            mbytes = json.dumps(man).encode()
            mdig = hashlib.sha256(mbytes).hexdigest()
            add_bytes(tar, "blobs/sha256/" + mdig, mbytes)
            mdescs = []
            for t in tags or [None]:
                desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": "sha256:" + mdig, "size": len(mbytes),
                        "platform": {"architecture": "amd64", "os": "linux"}}
                if t:
                    desc["annotations"] = {"io.containerd.image.name": t,
                                           "org.opencontainers.image.ref.name": t.rsplit(":", 1)[-1]}
                mdescs.append(desc)
            index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": mdescs}
            add_bytes(tar, "index.json", json.dumps(index).encode())
    print("sha256:" + cid)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "layer":
        cmd_layer(argv[2], argv[3:])
    elif cmd == "datalayer":
        cmd_datalayer(*argv[2:6])
    elif cmd == "hostile":
        cmd_hostile(*argv[2:5])
    elif cmd == "archive":
        cmd_archive(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
