#!/usr/bin/python3
"""A loopback HTTP proxy in front of a registry that breaks downloads.

  cutproxy.py LISTEN_PORT_FILE UPSTREAM_PORT LOG

Forwards every request to 127.0.0.1:UPSTREAM_PORT. The first GET of each
blob (a path with /blobs/sha256:) without a Range header gets only the first
half of its body, then the connection is closed: the client must resume
with a Range request. Every request line (with its Range header) is appended
to LOG. Writes the port it listens on to LISTEN_PORT_FILE.
"""
import http.client
import http.server
import socketserver
import sys
import threading

port_file, upstream, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cut_done = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        rng = self.headers.get("Range", "")
        with lock, open(log_path, "a") as f:
            f.write("%s %s range=%s\n" % (self.command, self.path, rng))
        conn = http.client.HTTPConnection("127.0.0.1", upstream)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = "127.0.0.1:%d" % upstream
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        cut = False
        if self.command == "GET" and "/blobs/sha256:" in self.path and not rng and len(data) > 1024:
            with lock:
                if self.path not in cut_done:
                    cut_done.add(self.path)
                    cut = True
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
