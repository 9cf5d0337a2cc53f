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


def blocking(c):
    c.kv.put("pyblk/x", "0")
    idx, _ = c.kv.get("pyblk/", recurse=True)
    got = {}

    def watch():
        t0 = time.monotonic()
        i, items = c.kv.get("pyblk/", recurse=True, index=idx, wait="30s")
        got["index"], got["items"], got["t"] = i, items, time.monotonic() - t0

    th = threading.Thread(target=watch)
    th.start()
    time.sleep(0.3)
    c.kv.put("unrelated", "1")
    time.sleep(0.3)
    check(th.is_alive(), "an unrelated write woke the watcher")
    c.kv.put("pyblk/y", "1")
    th.join(10)
    check(not th.is_alive(), "watcher not woken")
    check(int(got["index"]) > int(idx), "index did not move")
    check(len(got["items"]) == 2, "items %r" % (got["items"],))


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
    {"kv": kv, "blocking": blocking, "services": services}[what](c)
    print("ok")


if __name__ == "__main__":
    main()
