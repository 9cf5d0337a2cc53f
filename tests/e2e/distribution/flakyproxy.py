#!/usr/bin/python3
"""A loopback HTTP proxy in front of a registry that stalls, then cuts, one
transfer, so a test can kill and restart the registry in the middle of it.

  flakyproxy.py DIR UPSTREAM_PORT [--stall-get-after K] [--stall-patch-after K]

Each request is relayed to 127.0.0.1:UPSTREAM_PORT on a connection of its
own ("Connection: close" both ways), bodies streamed. With
--stall-get-after K, the first blob GET (a path with /blobs/sha256: and no
Range header) stops after K bytes of response body; with
--stall-patch-after K, the first upload PATCH stops after K bytes of
request body. The proxy then creates DIR/stalled and waits for DIR/go, then
closes both connections (the cut). A request whose upstream cannot be
reached gets 502. Writes its port to DIR/port; appends one line per request
to DIR/log: METHOD PATH range=R content-range=C in=BODY-BYTES-IN
out=BODY-BYTES-OUT status=S.
"""
import os
import socket
import socketserver
import sys
import threading
import time

d, upstream = sys.argv[1], int(sys.argv[2])
opts = sys.argv[3:]
stall_get = int(opts[opts.index("--stall-get-after") + 1]) if "--stall-get-after" in opts else -1
stall_patch = int(opts[opts.index("--stall-patch-after") + 1]) if "--stall-patch-after" in opts else -1
lock = threading.Lock()
stalled_once = [False]


def read_head(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, buf
        buf += chunk
    i = buf.index(b"\r\n\r\n") + 4
    return buf[:i], buf[i:]


def parse(head):
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    return lines[0], lines[1:], hdrs


def rewrite(first, lines):
    out = [first]
    for l in lines:
        if l and l.split(":", 1)[0].strip().lower() not in ("connection", "keep-alive", "proxy-connection"):
            out.append(l)
    out.append("Connection: close")
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def take_stall(kind):
    with lock:
        if stalled_once[0]:
            return False
        stalled_once[0] = True
        return True


def stall():
    open(os.path.join(d, "stalled"), "w").close()
    while not os.path.exists(os.path.join(d, "go")):
        time.sleep(0.05)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        head, rest = read_head(c, b"")
        if head is None:
            return
        first, lines, hdrs = parse(head)
        method, path = first.split(" ")[0], first.split(" ")[1]
        rng, crange = hdrs.get("range", ""), hdrs.get("content-range", "")
        length = int(hdrs.get("content-length", "0") or 0)
        rec = {"in": 0, "out": 0, "status": 0}
        try:
            self.relay(c, head, rest, first, lines, method, path, rng, length, rec)
        finally:
            with lock, open(os.path.join(d, "log"), "a") as f:
                f.write("%s %s range=%s content-range=%s in=%d out=%d status=%s\n" % (
                    method, path, rng, crange, rec["in"], rec["out"], rec["status"]))

    def relay(self, c, head, rest, first, lines, method, path, rng, length, rec):
        try:
            u = socket.create_connection(("127.0.0.1", upstream), timeout=30)
        except OSError:
            c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            rec["status"] = 502
            return
        with u:
            cut_patch = method == "PATCH" and stall_patch >= 0 and "/blobs/uploads/" in path
            u.sendall(rewrite(first, lines))
            sent, pending = 0, rest
            while sent < length:
                if not pending:
                    pending = c.recv(min(1 << 20, length - sent))
                    if not pending:
                        return
                if cut_patch and sent + len(pending) > stall_patch and take_stall("patch"):
                    part = pending[: max(0, stall_patch - sent)]
                    u.sendall(part)
                    rec["in"] = sent + len(part)
                    stall()
                    return
                if cut_patch and sent + len(pending) > stall_patch:
                    cut_patch = False
                u.sendall(pending)
                sent += len(pending)
                rec["in"] = sent
                pending = b""
            rhead, body = read_head(u, b"")
            if rhead is None:
                return
            rfirst, rlines, _ = parse(rhead)
            rec["status"] = int(rfirst.split(" ")[1])
            c.sendall(rewrite(rfirst, rlines))
            cut_get = (method == "GET" and stall_get >= 0 and "/blobs/sha256:" in path and not rng
                       and rec["status"] == 200)
            out = 0
            while True:
                if not body:
                    body = u.recv(1 << 20)
                    if not body:
                        return
                if cut_get and out + len(body) > stall_get and take_stall("get"):
                    part = body[: stall_get - out]
                    c.sendall(part)
                    rec["out"] = out + len(part)
                    stall()
                    return
                c.sendall(body)
                out += len(body)
                rec["out"] = out
                body = b""


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
srv.serve_forever()
