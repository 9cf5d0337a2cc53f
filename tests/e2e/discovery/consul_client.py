#!/usr/bin/python3
"""Scenarios with Debian's python3-consul against berthd's discovery API.

usage: consul_client.py HOST:PORT kv|blocking|services|watch-exact N
Prints "ok" and exits 0 when the scenario holds; raises otherwise.
"""
import sys
import threading
import time

import consul


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def kv(c):
    check(c.kv.put("py/a", "1"), "put")
    check(c.kv.put("py/b/c", b"\x00\xff", flags=7), "put bytes")
    idx, item = c.kv.get("py/a")
    check(item["Value"] == b"1" and int(idx) >= 1, "get %r" % (item,))
    _, items = c.kv.get("py/", recurse=True)
    check([i["Key"] for i in items] == ["py/a", "py/b/c"], "recurse %r" % (items,))
    check(items[1]["Value"] == b"\x00\xff" and items[1]["Flags"] == 7, "bytes/flags")
    _, keys = c.kv.get("py/", keys=True, separator="/")
    check(keys == ["py/a", "py/b/"], "keys %r" % (keys,))
    _, missing = c.kv.get("py/none")
    check(missing is None, "missing")
    check(c.kv.put("py/a", "2", cas=0) is False, "cas=0 on existing")
    check(c.kv.put("py/a", "2", cas=item["ModifyIndex"]) is True, "cas")
    check(c.kv.delete("py/", recurse=True), "delete")
    _, gone = c.kv.get("py/", recurse=True)
    check(gone is None, "deleted")


def tcp_conns(port):
    """{(server-side remote port): (server rx_queue, peer port)} for every
    established IPv4 connection to local port `port`, from /proc/net/tcp."""
    out = {}
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fld = line.split()
            if fld[3] != "01":  # ESTABLISHED
                continue
            lport = int(fld[1].rsplit(":", 1)[1], 16)
            rport = int(fld[2].rsplit(":", 1)[1], 16)
            if lport == port:
                out[rport] = int(fld[4].split(":")[1], 16)
    return out


def wait_held(port, before, deadline=10):
    """Polls until a connection to `port` that was not there before has been
    open for two polls with nothing left unread on the server side: the
    watcher's request has been read (and is held, as nothing wakes it)."""
    end = time.monotonic() + deadline
    seen = set()
    while time.monotonic() < end:
        idle = {p for p, rx in tcp_conns(port).items() if p not in before and rx == 0}
        if idle & seen:
            return
        seen = idle
        time.sleep(0.05)
    raise AssertionError("the blocking query was not read within %ds" % deadline)


def blocking(c, host, port):
    c.kv.put("pyblk/x", "0")
    idx, _ = c.kv.get("pyblk/", recurse=True)
    got = {}
    w = consul.Consul(host=host, port=port)  # its own connection
    before = set(tcp_conns(port))

    def watch():
        t0 = time.monotonic()
        i, items = w.kv.get("pyblk/", recurse=True, index=idx, wait="30s")
        got["index"], got["items"], got["t"] = i, items, time.monotonic() - t0

    th = threading.Thread(target=watch)
    th.start()
    wait_held(port, before)
    # An unrelated write, then the awaited one: had the first woken the
    # watcher, its answer (made before the second write was sent) would hold
    # one item, not two.
    c.kv.put("unrelated", "1")
    c.kv.put("pyblk/y", "1")
    th.join(10)
    check(not th.is_alive(), "watcher not woken")
    check(int(got["index"]) > int(idx), "index did not move")
    check(len(got["items"]) == 2, "items %r (an unrelated write woke the watcher?)" % (got["items"],))


def services(c):
    check(c.agent.service.register("web", service_id="web-1", address="10.9.0.2", port=80,
                                   tags=["v1"], check=consul.Check.ttl("30s")), "register")
    check(c.agent.service.register("web", service_id="web-2", address="10.9.0.3", port=80),
          "register 2")
    _, svcs = c.catalog.services()
    check(svcs.get("web") == ["v1"], "catalog services %r" % (svcs,))
    _, nodes = c.catalog.service("web")
    check(sorted(n["ServiceID"] for n in nodes) == ["web-1", "web-2"], "catalog service")
    idx, healthy = c.health.service("web", passing=True)
    check([h["Service"]["ID"] for h in healthy] == ["web-2"], "passing %r" % (healthy,))
    c.agent.check.ttl_pass("service:web-1", "fine")
    _, healthy = c.health.service("web", passing=True)
    check(len(healthy) == 2, "after ttl_pass")
    c.agent.check.ttl_fail("service:web-1")
    _, healthy = c.health.service("web", passing=True)
    check(len(healthy) == 1, "after ttl_fail")
    check(c.agent.service.deregister("web-1"), "deregister")
    check(c.agent.service.deregister("web-2"), "deregister 2")
    _, nodes = c.catalog.service("web")
    check(nodes == [], "after deregister %r" % (nodes,))
    check(c.status.leader() != "", "leader")


def watch_exact(c, n):
    """Prints each value of key w/k as it changes, n times (a watcher)."""
    idx, item = c.kv.get("w/k")
    for _ in range(n):
        while True:
            new, item = c.kv.get("w/k", index=idx, wait="20s")
            if new != idx:
                idx = new
                break
        print(item["Value"].decode() if item else "<deleted>", flush=True)


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    c = consul.Consul(host=host, port=int(port))
    what = sys.argv[2]
    if what == "watch-exact":
        watch_exact(c, int(sys.argv[3]))
        return
    if what == "blocking":
        blocking(c, host, int(port))
    else:
        {"kv": kv, "services": services}[what](c)
    print("ok")


if __name__ == "__main__":
    main()
