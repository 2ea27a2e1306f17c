# SPDX-License-Identifier: GPL-3.0-or-later
"""A command prefix that runs a program under a seccomp filter as the
unit's confinement sets one (SystemCallFilter= without @resources,
SystemCallErrorNumber=EPERM), and stricter (no AF_NETLINK socket, which
the unit allows for the HTTP door's peers alone),
which a test cannot have systemd set here: x86-64's system call numbers
only (X86_64 says whether they apply)."""

import platform

X86_64 = platform.machine() == "x86_64"

# systemd's @resources (systemd-analyze syscall-filter @resources) on
# x86-64: ioprio_set, mbind, migrate_pages, move_pages, sched_setaffinity,
# sched_setattr, sched_setparam, sched_setscheduler, set_mempolicy,
# set_mempolicy_home_node, setpriority, setrlimit
RESOURCES = [251, 237, 256, 279, 203, 314, 142, 144, 238, 450, 141, 160]

# Installs the filter (classic BPF over struct seccomp_data: arch at 4,
# nr at 0, args[0]'s low half at 16) and runs argv[1:]: socket(AF_NETLINK)
# fails with EAFNOSUPPORT, RESOURCES with EPERM.
CODE = """
import ctypes, os, struct, sys
LD, JEQ, RET = 0x20, 0x15, 0x06
nrs = %r
n = len(nrs)
allow, perm, af = 6 + n, 7 + n, 8 + n
prog = ([(LD, 0, 0, 4), (JEQ, 0, allow - 2, 0xc000003e), (LD, 0, 0, 0),
         (JEQ, 0, 2, 41), (LD, 0, 0, 16), (JEQ, af - 6, allow - 6, 16)] +
        [(JEQ, perm - 7 - i, 0, nr) for i, nr in enumerate(nrs)] +
        [(RET, 0, 0, 0x7fff0000), (RET, 0, 0, 0x00050000 | 1),
         (RET, 0, 0, 0x00050000 | 97)])
buf = ctypes.create_string_buffer(b"".join(
    struct.pack("HBBI", *i) for i in prog))
fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0):
    sys.exit("seccomp: %%s" %% os.strerror(ctypes.get_errno()))
os.execv(sys.argv[1], sys.argv[1:])
""" % (RESOURCES,)


def unit_filter():
    """The command prefix."""
    return ["/usr/bin/python3", "-c", CODE]
