"""Docker SDK for Python (Debian's python3-docker) against berthd: the
default bridge network, published ports and the /networks API.

One berthd per module (conftest `cdaemon`, with its own bridge, subnet and
nft table); `cclient` removes the containers each test leaves."""
import os
import socket
import time
import urllib.request

import docker
import pytest

BUSYBOX = "busybox:latest"
HTTPD = ["sh", "-c", "mkdir -p /www && echo $MSG >/www/index.html && exec httpd -f -p 80 -h /www"]


def until(what, fn, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            v = fn()
        except OSError:
            v = None
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for " + what)
        time.sleep(0.05)


def free_port():
    s = socket.socket()
    s.bind(("0.0.0.0", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def get(url):
    with urllib.request.urlopen(url, timeout=2) as r:
        return r.read().decode()


def test_bridge_address_and_attrs(cclient, cdaemon):
    c = cclient.containers.run(BUSYBOX, ["sleep", "100"], detach=True)
    c.reload()
    ns = c.attrs["NetworkSettings"]
    assert ns["IPAddress"].startswith(cdaemon.subnet_prefix + ".")
    assert ns["Gateway"] == cdaemon.subnet_prefix + ".1"
    assert ns["Networks"]["bridge"]["IPAddress"] == ns["IPAddress"]
    assert ns["MacAddress"].startswith("02:42:")
    out = cclient.containers.run(BUSYBOX, ["ip", "-o", "-4", "addr", "show", "eth0"], remove=True)
    assert (cdaemon.subnet_prefix + ".").encode() in out


def test_published_port_answers_and_is_listed(cclient):
    port = free_port()
    c = cclient.containers.run(BUSYBOX, HTTPD, detach=True, environment={"MSG": "from-docker-py"},
                               ports={"80/tcp": port})
    assert until("http", lambda: "from-docker-py" in get(f"http://127.0.0.1:{port}/"))
    c.reload()
    assert c.ports == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(port)}]}
    row = [x for x in cclient.api.containers() if x["Id"] == c.id][0]
    assert {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": port, "Type": "tcp"} in row["Ports"]


def test_publish_all_and_random_port(cclient):
    c = cclient.containers.run(BUSYBOX, HTTPD, detach=True, environment={"MSG": "random"},
                               ports={"80/tcp": None}, publish_all_ports=True)
    c.reload()
    port = int(c.ports["80/tcp"][0]["HostPort"])
    assert port > 1024
    assert until("http", lambda: "random" in get(f"http://127.0.0.1:{port}/"))


def test_port_clash_is_an_api_error(cclient):
    port = free_port()
    cclient.containers.run(BUSYBOX, ["sleep", "100"], detach=True, ports={"80/tcp": port})
    with pytest.raises(docker.errors.APIError) as e:
        cclient.containers.run(BUSYBOX, ["sleep", "100"], detach=True, ports={"80/tcp": port})
    assert "port is already allocated" in str(e.value)


def test_network_none_and_host(cclient):
    out = cclient.containers.run(BUSYBOX, ["ls", "/sys/class/net"], network_mode="none",
                                 remove=True)
    assert out.split() == [b"lo"]
    # host: the host's interfaces (the container shares its network
    # namespace). Other daemons add and remove veths meanwhile: compare with
    # those the host had both before and after.
    before = set(os.listdir("/sys/class/net"))
    out = cclient.containers.run(BUSYBOX, ["ls", "/sys/class/net"], network_mode="host",
                                 remove=True)
    stable = {n.encode() for n in before & set(os.listdir("/sys/class/net"))}
    seen = set(out.split())
    assert stable - {b"lo"}, "the host has no interface but lo"
    assert stable <= seen, "host network: missing %r" % (stable - seen,)


def test_networks_api(cclient, cdaemon):
    names = sorted(n.name for n in cclient.networks.list())
    assert names == ["bridge", "host", "none"]
    br = cclient.networks.get("bridge")
    assert br.attrs["Driver"] == "bridge"
    assert br.attrs["IPAM"]["Config"][0]["Subnet"] == cdaemon.subnet_prefix + ".0/24"
    assert br.attrs["Options"]["com.docker.network.bridge.name"] == cdaemon.bridge
    c = cclient.containers.run(BUSYBOX, ["sleep", "100"], detach=True)
    br.reload()
    assert c.id in br.attrs["Containers"]
    with pytest.raises(docker.errors.NotFound):
        cclient.networks.get("nosuchnetwork")
    with pytest.raises(docker.errors.APIError) as e:
        br.remove()
    assert "pre-defined network" in str(e.value)


def test_links_dns_extra_hosts(cclient):
    db = cclient.containers.run(BUSYBOX, ["sleep", "100"], name="pydb", detach=True,
                                environment={"DB_USER": "alice"}, ports={"5432/tcp": None})
    db.reload()
    ip = db.attrs["NetworkSettings"]["IPAddress"]
    web = cclient.containers.run(
        BUSYBOX, ["sleep", "100"], name="pyweb", detach=True, links={"pydb": "database"},
        # An upstream on loopback where nothing listens: no question leaves the host.
        dns=["127.0.0.253"], extra_hosts={"extra.example": "10.9.8.7"})
    web.reload()
    assert web.attrs["HostConfig"]["Links"] == ["/pydb:/pyweb/database"]
    assert web.attrs["HostConfig"]["Dns"] == ["127.0.0.253"]
    hosts = web.exec_run(["cat", "/etc/hosts"]).output.decode()
    assert "%s\tdatabase %s pydb" % (ip, db.id[:12]) in hosts
    assert "10.9.8.7\textra.example" in hosts
    env = web.exec_run(["env"]).output.decode().splitlines()
    assert "DATABASE_NAME=/pyweb/database" in env
    assert "DATABASE_PORT_5432_TCP_ADDR=" + ip in env
    assert "DATABASE_ENV_DB_USER=alice" in env
    resolv = web.exec_run(["cat", "/etc/resolv.conf"]).output.decode()
    assert "nameserver 127.0.0.11\n" in resolv and resolv.count("nameserver") == 1
    out = cclient.containers.run(BUSYBOX, ["cat", "/etc/resolv.conf"], remove=True,
                                 dns_search=["example.test"], dns_opt=["timeout:1"])
    assert out.decode() == "search example.test\nnameserver 127.0.0.11\noptions timeout:1 ndots:0\n"
    # The alias resolves through the embedded DNS (nslookup asks 127.0.0.11).
    out = web.exec_run(["nslookup", "database"])
    assert out.exit_code == 0 and ip in out.output.decode()
    with pytest.raises(docker.errors.APIError, match="could not get container for nosuch"):
        cclient.containers.run(BUSYBOX, ["true"], links={"nosuch": "x"}, remove=True)


@pytest.fixture
def nets(cclient):
    """Removes the user-defined networks a test made (after its containers:
    cclient's cleanup runs later, so containers go first here)."""
    made = []
    yield made
    for ctr in cclient.containers.list(all=True):
        ctr.remove(force=True)
    for n in cclient.networks.list():
        if n.name not in ("bridge", "host", "none"):
            n.remove()


def test_user_network_create_inspect_list_remove(cclient, cdaemon, nets):
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(
        subnet=cdaemon.user_prefix + ".0/24", gateway=cdaemon.user_prefix + ".1",
        iprange=cdaemon.user_prefix + ".64/26")])
    n = cclient.networks.create("pyn", driver="bridge", ipam=ipam, labels={"app": "py"},
                                internal=True, attachable=True)
    assert len(n.id) == 64
    n.reload()
    assert n.name == "pyn"
    assert n.attrs["IPAM"]["Config"] == [{"Subnet": cdaemon.user_prefix + ".0/24",
                                          "Gateway": cdaemon.user_prefix + ".1",
                                          "IPRange": cdaemon.user_prefix + ".64/26"}]
    assert n.attrs["Labels"] == {"app": "py"}
    assert n.attrs["Internal"] is True and n.attrs["Attachable"] is True
    assert [x.id for x in cclient.networks.list(filters={"label": "app=py"})] == [n.id]
    assert [x.name for x in cclient.networks.list(names=["pyn"])] == ["pyn"]
    assert cclient.networks.get(n.id[:10]).id == n.id
    with pytest.raises(docker.errors.APIError) as e:
        cclient.networks.create("pyn")
    assert e.value.status_code == 409
    # Automatic subnet from the daemon's pool.
    auto = cclient.networks.create("pyauto")
    auto.reload()
    assert auto.attrs["IPAM"]["Config"][0]["Subnet"].startswith(cdaemon.pool_prefix + ".")
    n.remove()
    auto.remove()
    with pytest.raises(docker.errors.NotFound):
        cclient.networks.get("pyn")
    assert sorted(x.name for x in cclient.networks.list()) == ["bridge", "host", "none"]


def test_user_network_run_connect_disconnect(cclient, cdaemon, nets):
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(
        subnet=cdaemon.user_prefix + ".0/24")])
    n = cclient.networks.create("pyc", ipam=ipam)
    web = cclient.containers.run(BUSYBOX, HTTPD, detach=True, environment={"MSG": "on-pyc"},
                                 network="pyc")
    web.reload()
    ip = web.attrs["NetworkSettings"]["Networks"]["pyc"]["IPAddress"]
    assert ip.startswith(cdaemon.user_prefix + ".")
    assert web.attrs["NetworkSettings"]["Networks"]["pyc"]["NetworkID"] == n.id
    # A container on the default bridge cannot reach it until connected.
    other = cclient.containers.run(BUSYBOX, ["sleep", "100"], detach=True)
    rc, _ = other.exec_run(["timeout", "-s", "KILL", "3", "wget", "-q", "-O-", "http://%s/" % ip])
    assert rc != 0
    n.connect(other, aliases=["buddy"], ipv4_address=cdaemon.user_prefix + ".99")
    other.reload()
    nets_of = other.attrs["NetworkSettings"]["Networks"]
    assert sorted(nets_of) == ["bridge", "pyc"]
    assert nets_of["pyc"]["IPAddress"] == cdaemon.user_prefix + ".99"
    assert "buddy" in nets_of["pyc"]["Aliases"]
    out = until("http", lambda: (lambda r: r[0] == 0 and r[1])(
        other.exec_run(["timeout", "-s", "KILL", "3", "wget", "-q", "-O-", "http://%s/" % ip])))
    assert b"on-pyc" in out
    n.reload()
    assert sorted(n.attrs["Containers"]) == sorted([web.id, other.id])
    with pytest.raises(docker.errors.APIError) as e:
        n.remove()
    assert "has active endpoints" in str(e.value)
    n.disconnect(other)
    other.reload()
    assert sorted(other.attrs["NetworkSettings"]["Networks"]) == ["bridge"]
    rc, out = other.exec_run(["ls", "/sys/class/net"])
    assert out.split() == [b"eth0", b"lo"]
    web.remove(force=True)
    other.remove(force=True)
    n.remove()
    assert cclient.networks.prune() == {"NetworksDeleted": None}
