#!/usr/bin/python3
"""dnsq.py HOST:PORT NAME [A|SRV]: one DNS question over UDP (stdlib only).

Prints the rcode name on the first line, then one answer a line:
"A 10.1.2.3" or "SRV <priority> <weight> <port> <target>"; additional A
records as "ADD <name> <ip>". Exit 2 on a timeout or a malformed reply.
"""
import random
import socket
import struct
import sys

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
TYPES = {"A": 1, "SRV": 33, "AAAA": 28}


def name_at(msg, off):
    labels, jumped, end = [], False, off
    for _ in range(64):
        n = msg[off]
        if n == 0:
            off += 1
            break
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off, jumped = ((n & 0x3F) << 8) | msg[off + 1], True
            continue
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += 1 + n
    return ".".join(labels), (end if jumped else off)


def main():
    server, name = sys.argv[1], sys.argv[2]
    qtype = TYPES[sys.argv[3] if len(sys.argv) > 3 else "A"]
    host, port = server.rsplit(":", 1)
    qid = random.randint(0, 65535)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"
    q += struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q, (host, int(port)))
    try:
        msg, _ = s.recvfrom(4096)
    except socket.timeout:
        print("timeout")
        sys.exit(2)
    rid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", msg[:12])
    if rid != qid:
        sys.exit(2)
    print(RCODES.get(flags & 0xF, str(flags & 0xF)))
    off = 12
    for _ in range(qd):
        _, off = name_at(msg, off)
        off += 4
    for i in range(an + ns + ar):
        rname, off = name_at(msg, off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        section = "" if i < an else ("NS " if i < an + ns else "ADD ")
        if rtype == 1:
            ip = ".".join(str(b) for b in rdata)
            print("ADD %s %s" % (rname, ip) if section == "ADD " else "%sA %s" % (section, ip))
        elif rtype == 33:
            pr, w, p = struct.unpack(">HHH", rdata[:6])
            target, _ = name_at(msg, off + 6)
            print("%sSRV %d %d %d %s" % (section, pr, w, p, target))
        off += rdlen


if __name__ == "__main__":
    main()
