"""The node's fence: a small watchdog process beside each node, run as a plain script
(standard library only) so that it is up in milliseconds and shares nothing with the
node but two files.

A node owns its programs only while its lease in Redis lives (``registry.NODE_TTL``
after its last heartbeat). A node that cannot renew it — frozen (SIGSTOP, a stalled
VM), or cut off from Redis — cannot stop its own programs, and other nodes will resume
them from their checkpoints once the lease runs out. So this watchdog does it: when the
node's last renewal (``lease``, written by the node after each heartbeat) is older than
``limit`` seconds, shorter than the lease, it stops every program's process group with
SIGSTOP and writes ``lease.fenced``. The node, once it renews again, checks each
program's epoch: it ends the copies that were resumed elsewhere meanwhile, lets the rest
go on (SIGCONT), and removes ``lease.fenced``.

And when the node dies (its parent changes), the watchdog ends every program's process
group with SIGKILL — the programs themselves die with the node already
(``PR_SET_PDEATHSIG``), but what they started would not.
"""

import json
import os
import signal
import sys
import time

POLL = 0.1


def _read(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _signal_groups(groups, signum):
    for group in groups:
        try:
            os.killpg(group, signum)
        except (ProcessLookupError, PermissionError):
            pass


def watch(lease_path: str, node_pid: int) -> None:
    fenced_path = lease_path + ".fenced"
    groups: list = []
    fenced = False
    while True:
        if os.getppid() != node_pid:  # the node is gone: what its programs started goes too
            lease = _read(lease_path)
            _signal_groups(set(groups) | set((lease or {}).get("groups", [])), signal.SIGKILL)
            return
        lease = _read(lease_path)
        if lease is not None:
            groups = lease.get("groups", [])
            stale = time.monotonic() - lease.get("renewed", 0) > lease.get("limit", 3.0)
            if stale and not fenced:
                _signal_groups(groups, signal.SIGSTOP)
                with open(fenced_path, "w") as handle:
                    json.dump({"groups": groups, "at": time.time()}, handle)
                fenced = True
            elif fenced and not os.path.exists(fenced_path):
                fenced = False  # the node checked the epochs and let its programs go on
        time.sleep(POLL)


if __name__ == "__main__":
    # a Ctrl-C or SIGTERM meant for the node is the node's to act on; this ends after it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    watch(sys.argv[1], int(sys.argv[2]))
