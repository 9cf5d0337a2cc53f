#!/usr/bin/python3
"""dns_query.py SERVER PORT NAME [TYPE] [tcp]: one question, prints the rcode
and the A records ("rcode=NOERROR", "A 10.0.0.2") and "tc" when truncated.
Used inside a container's namespace (nsenter --net) to reach 127.0.0.11."""
import socket
import struct
import sys

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def main():
    server, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    qtype = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    tcp = len(sys.argv) > 5 and sys.argv[5] == "tcp"
    q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack("!HH", qtype, 1)
    if tcp:
        s = socket.create_connection((server, port), timeout=5)
        s.sendall(struct.pack("!H", len(q)) + q)
        data = b""
        while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        msg = data[2:]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(q, (server, port))
        msg, _ = s.recvfrom(65536)
    qid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    print("rcode=" + RCODES.get(flags & 0xF, str(flags & 0xF)))
    if flags & 0x0200:
        print("tc")
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if rtype == 1:
            print("A " + socket.inet_ntoa(msg[off:off + 4]))
        off += rdlen


if __name__ == "__main__":
    main()
