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
