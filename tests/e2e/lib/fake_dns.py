#!/usr/bin/python3
"""A fake upstream DNS server for tests (UDP and TCP), on a loopback address only.

fake_dns.py ADDR PORT ANSWER_IP PORTFILE LOGFILE
Answers every A question with ANSWER_IP (TTL 5), every other type with an
empty NOERROR; appends each question's name to LOGFILE; writes the bound UDP
port to PORTFILE once it serves (PORT 0: the kernel's pick). Runs until
killed.
"""
import os
import socket
import struct
import sys
import threading


def read_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        if n & 0xC0:
            raise ValueError("compressed question")
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def answer(msg, ip):
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    name, off = read_name(msg, 12)
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    question = msg[12:off + 4]
    records = b""
    if qtype == 1:
        records = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 5, 4) + socket.inet_aton(ip)
    hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100), 1, 1 if records else 0, 0, 0)
    return name, hdr + question + records


def log(logfile, name):
    with open(logfile, "a") as f:
        f.write(name + "\n")


def serve_tcp(t, ip, logfile):
    while True:
        conn, _ = t.accept()
        with conn:
            data = b""
            try:
                while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                name, reply = answer(data[2:], ip)
            except Exception:  # noqa: BLE001 - a test server drops what it cannot read
                continue
            log(logfile, name)
            conn.sendall(struct.pack("!H", len(reply)) + reply)


def main():
    addr, port, ip, portfile, logfile = sys.argv[1:6]
    if not addr.startswith("127."):
        sys.exit("fake_dns.py listens on loopback only")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    bound = s.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, bound))
    t.listen(16)
    threading.Thread(target=serve_tcp, args=(t, ip, logfile), daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(bound))
    os.rename(portfile + ".tmp", portfile)
    while True:
        msg, peer = s.recvfrom(4096)
        try:
            name, reply = answer(msg, ip)
        except Exception:  # noqa: BLE001 - a test server drops what it cannot read
            continue
        log(logfile, name)
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
