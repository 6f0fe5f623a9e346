#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
"""Check a test's client journal (it_lib.sh, it_journal) for double grants.

Each journal line is one command of a test client and its answer:
    SENT_MS <tab> ANSWERED_MS <tab> CLIENT <tab> COMMAND <tab> REPLY
A client holds a byte-range lock from the answer that granted it until it
sent the unlock that was answered OK, and an open (NFSv4 OPEN, NLM_SHARE)
with its access and deny modes from its answer until it sent the close
(or NLM_UNSHARE). Two holdings of different owners that conflict must
never overlap in time: then both clients believed they held them at once,
whatever the order the servers saw. A client named with --silent renews
nothing: its state may end with its lease, counted from its last answer.

Exit 0 with a summary; 1 with every violation found.
"""
import argparse
import sys
from dataclasses import dataclass

EOF = 2**64 - 1
MODES = {"none": 0, "read": 1, "write": 2, "both": 3}


@dataclass
class Hold:
    owner: str  # client and lock owner, or client and open owner
    file: str
    kind: str  # "lock" or "open"
    start: int  # lock: first byte; open: access bits
    end: int  # lock: last byte; open: deny bits
    write: bool  # lock type
    since: int  # ms: the answer that granted it
    until: int = None  # ms: the release was sent (None: still held)
    what: str = ""

    def conflicts(self, other):
        if self.file != other.file or self.owner == other.owner:
            return False
        if self.kind != other.kind:
            return False
        if self.kind == "lock":
            return (self.write or other.write) and \
                self.start <= other.end and other.start <= self.end
        return bool(self.start & other.end or self.end & other.start)


def share_modes(words):
    """[read|write|both] [deny none|read|write|both]: access, deny bits."""
    access, deny = MODES["both"], 0
    if words and words[0] != "deny":
        access, words = MODES[words[0]], words[1:]
    if len(words) >= 2 and words[0] == "deny":
        deny = MODES[words[1]]
    return access, deny


def byte_range(offset, length):
    offset, length = int(offset), int(length)
    return offset, EOF if length == 0 else offset + length - 1


class Client:
    def __init__(self, name):
        self.name = name
        self.file = None  # NFSv4: the current file
        self.owner = ""  # NFSv4 lock owner ("v4 owner")
        self.open_owner = ""  # NFSv4 open owner ("v4 open_owner")
        self.svid = "0"  # NLM
        self.last_answer = 0


class Journal:
    def __init__(self):
        self.clients = {}
        self.holds = []
        self.commands = 0
        self.longest = (0, "")  # ms, and which answer

    def client(self, name):
        return self.clients.setdefault(name, Client(name))

    def held(self, owner, file, kind):
        return [h for h in self.holds if h.until is None and
                h.owner == owner and h.file == file and h.kind == kind]

    def grant(self, c, owner, file, kind, start, end, write, at, what):
        self.holds.append(Hold(owner, file, kind, start, end, write, at,
                               what=f"{c.name}: {what}"))

    def unlock(self, owner, file, start, end, at):
        """Release [start, end] of the owner's locks on file, splitting."""
        for h in self.held(owner, file, "lock"):
            if h.end < start or h.start > end:
                continue
            h.until = at
            for lo, hi in ((h.start, start - 1), (end + 1, h.end)):
                if lo <= hi:
                    self.holds.append(Hold(h.owner, h.file, "lock", lo, hi,
                                           h.write, h.since, what=h.what))

    def close(self, owner, file, at):
        for h in self.held(owner, file, "open"):
            h.until = at

    def apply(self, sent, answered, name, cmd, reply):
        c = self.client(name)
        self.commands += 1
        c.last_answer = answered  # any answer renews the lease
        if answered - sent > self.longest[0]:
            self.longest = (answered - sent, f"{name}: {cmd} -> {reply}")
        w = cmd.split()
        if reply != "OK" and not reply.startswith("OK ") or len(w) < 2:
            return
        lock_owner = f"{name}/{c.owner}"
        open_owner = f"{name}/open/{c.open_owner}"
        if w[:2] == ["v4", "file"] and len(w) == 3:
            c.file = w[2]
        elif w[:2] == ["v4", "owner"] and len(w) == 3:
            c.owner = w[2]
        elif w[:2] == ["v4", "open_owner"] and len(w) == 3:
            c.open_owner = w[2]
        elif w[:2] == ["v4", "open"] and len(w) >= 3:
            c.file = w[2]
            access, deny = share_modes(w[3:])
            self.grant(c, open_owner, c.file, "open", access, deny, False,
                       answered, cmd)
        elif w[:2] == ["v4", "downgrade"]:
            self.close(open_owner, c.file, sent)
            access, deny = share_modes(w[2:])
            self.grant(c, open_owner, c.file, "open", access, deny, False,
                       answered, f"v4 open {c.file} {' '.join(w[2:])}")
        elif w[:2] == ["v4", "close"]:
            self.close(open_owner, c.file, sent)
        elif w[:2] == ["v4", "lock"] and len(w) >= 5:
            start, end = byte_range(w[3], w[4])
            self.grant(c, lock_owner, c.file, "lock", start, end,
                       w[2].startswith("write"), answered, cmd)
        elif w[:2] == ["v4", "unlock"] and len(w) == 4:
            self.unlock(lock_owner, c.file, *byte_range(w[2], w[3]), sent)
        elif w[:2] == ["nlm", "svid"] and len(w) == 3:
            c.svid = w[2]
        elif w[:2] == ["nlm", "lock"] and len(w) >= 6:
            start, end = byte_range(w[3], w[4])
            self.grant(c, f"{name}/nlm/{c.svid}", w[5], "lock", start, end,
                       w[2] == "write", answered, cmd)
        elif w[:2] == ["nlm", "unlock"] and len(w) == 5:
            self.unlock(f"{name}/nlm/{c.svid}", w[4],
                        *byte_range(w[2], w[3]), sent)
        elif w[:2] == ["nlm", "share"] and len(w) >= 4:
            access, deny = share_modes(w[2:-1])
            self.grant(c, f"{name}/nlm", w[-1], "open", access, deny, False,
                       answered, cmd)
        elif w[:2] == ["nlm", "unshare"] and len(w) >= 4:
            self.close(f"{name}/nlm", w[-1], sent)

    def expire_silent(self, silent, lease_ms):
        """A silent client's state may end a lease after its last answer."""
        for h in self.holds:
            if h.until is None and h.owner.split("/")[0] in silent:
                h.until = self.clients[h.owner.split("/")[0]].last_answer + \
                    lease_ms

    def violations(self):
        found = []
        for i, a in enumerate(self.holds):
            for b in self.holds[i + 1:]:
                if not a.conflicts(b):
                    continue
                a_until = a.until if a.until is not None else float("inf")
                b_until = b.until if b.until is not None else float("inf")
                if a.since < b_until and b.since < a_until:
                    found.append((a, b))
        return found


def span(h):
    """When a holding was held, in epoch ms."""
    return f"held from {h.since} " + \
        ("on" if h.until is None else f"to {h.until}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("journal")
    p.add_argument("--silent", default="",
                   help="clients that renew nothing, comma-separated")
    p.add_argument("--lease", type=float, default=0,
                   help="the NFSv4 lease, seconds (for --silent)")
    args = p.parse_args()
    j = Journal()
    with open(args.journal, encoding="utf-8") as f:
        for line in f:
            sent, answered, name, cmd, reply = line.rstrip("\n").split("\t")
            j.apply(int(sent), int(answered), name, cmd, reply)
    j.expire_silent(set(filter(None, args.silent.split(","))),
                    int(args.lease * 1000))
    found = j.violations()
    for a, b in found:
        print(f"double grant on {a.file}: [{a.what}] {span(a)} and "
              f"[{b.what}] {span(b)}")
    locks = sum(h.kind == "lock" for h in j.holds)
    opens = len(j.holds) - locks
    print(f"grant check: {j.commands} commands of {len(j.clients)} clients, "
          f"{locks} lock and {opens} open holdings, "
          f"{len(found)} conflicting pairs held at once; longest wait "
          f"{j.longest[0]} ms ({j.longest[1]})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
