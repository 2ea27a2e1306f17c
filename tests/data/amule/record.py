# SPDX-License-Identifier: GPL-3.0-or-later
"""Record amuled's answers to the External Connections requests mediamon
makes (tests/unit/test_amule.c reads them): python3 record.py HOST PORT
PASSWORD OUT_DIR. Each answer is written as its frame after the 8-byte
header (flags and length), as aMule 2.3.3 sent it."""

import hashlib
import socket
import struct
import sys


def tag(name, type_, data):
    return struct.pack(">HBI", name << 1, type_, len(data)) + data


def frame(opcode, *tags):
    body = struct.pack(">BH", opcode, len(tags)) + b"".join(tags)
    return struct.pack(">II", 0x20, len(body)) + body


def ask(s, data):
    s.sendall(data)
    head = b""
    while len(head) < 8:
        head += s.recv(8 - len(head))
    flags, n = struct.unpack(">II", head)
    assert flags == 0x20, flags
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return body


def login(host, port, password):
    s = socket.create_connection((host, port), 10)
    salt = ask(s, frame(0x02, tag(0x100, 6, b"record\0"),
                        tag(0x101, 6, b"1\0"),
                        tag(0x002, 3, struct.pack(">H", 0x0204))))
    assert salt[0] == 0x4F, salt
    value = int.from_bytes(salt[3 + 7:], "big")
    both = hashlib.md5(password.encode()).hexdigest() + \
        hashlib.md5(("%X" % value).encode()).hexdigest()
    ok = ask(s, frame(0x50, tag(0x001, 9,
                                hashlib.md5(both.encode()).digest())))
    return s, ok


def main(host, port, password, out):
    s, ok = login(host, int(port), password)
    open(out + "/auth_ok.bin", "wb").write(ok)
    detail = tag(0x004, 2, b"\0")
    for name, op in (("dload_queue", 0x0D), ("shared_files", 0x10)):
        open("%s/%s.bin" % (out, name), "wb").write(ask(s, frame(op,
                                                                 detail)))
    prefs = ask(s, frame(0x3F, tag(0x1000, 4, struct.pack(">I", 0x200))))
    open(out + "/preferences.bin", "wb").write(prefs)
    s.close()
    s, fail = login(host, int(port), "not-" + password)
    open(out + "/auth_fail.bin", "wb").write(fail)


if __name__ == "__main__":
    main(*sys.argv[1:])
