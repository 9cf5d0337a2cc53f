#!/usr/bin/python3
"""recv-console.py SOCKET OUTFILE [READYFILE]

A console-socket receiver: listens on SOCKET, accepts one connection,
receives the pty master over SCM_RIGHTS, then copies what the container
writes to the pty into OUTFILE until EOF/EIO. Writes READYFILE (if given)
once listening, and OUTFILE.fd-received once it holds the master.
"""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
ready = sys.argv[3] if len(sys.argv) > 3 else None
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
if ready:
    open(ready, "w").close()
conn, _ = srv.accept()
msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 1)
if not fds:
    sys.exit("no fd received")
master = fds[0]
with open(out + ".fd-received", "w") as f:
    f.write(msg.decode(errors="replace"))
with open(out, "wb") as f:
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO once the slave side is closed
            break
        if not data:
            break
        f.write(data)
        f.flush()
