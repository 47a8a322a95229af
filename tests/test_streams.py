"""Data streams: a reader's position travels with the program, so that after a capture,
a restore or a migration it reads exactly the next entry — none skipped, none twice."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from framemig.bus import logs
from tests.fleet_harness import Fleet, blocked_in_xread, wait_until
from tests.harness import HERE, Live

PROGRAMS = HERE / "programs" / "fleet"


def publish(server, numbers) -> None:
    from framemig.bus.streams import Publisher, _connections
    _connections.clear()
    publisher = Publisher("numbers")
    for n in numbers:
        publisher.publish({"n": n, "pixels": bytes([n % 256]) * 4})


def got(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^got (\d+)", text, flags=re.M)]


@pytest.mark.parametrize("program", ["stream_reader.py", "stream_for.py"])
@pytest.mark.parametrize("source,target", [("3.11", "3.11"), ("3.11", "3.13"),
                                           ("3.13", "3.12"), ("3.12", "3.11")])
def test_a_reader_waiting_for_data_is_captured_and_reads_on(env, server, monkeypatch,
                                                            program, source, target,
                                                            tmp_path):
    monkeypatch.setenv("REDIS_URL", server.url)
    env.extra["REDIS_URL"] = server.url
    publish(server, range(3))
    live = Live(env, source, PROGRAMS / program)
    live.wait_for(b"got 2 ")
    wait_until(lambda: blocked_in_xread(server),  # inside read(), for an entry not there yet
               "the reader to wait in XREAD")
    snapshot = tmp_path / "snap.json"
    dump = env.framemig(source, "dump", live.pid, "-o", snapshot)
    assert dump.returncode == 0, dump
    first = live.finish()
    assert first.returncode == 75, first
    publish(server, [3, 4, 5, -1])  # published while no copy of the program runs
    restored = env.framemig(target, "restore", snapshot, timeout=60)
    assert restored.returncode == 0, restored
    assert got(first.stdout.decode()) + got(restored.stdout.decode()) == [0, 1, 2, 3, 4, 5]
    assert b"end 6" in restored.stdout


def test_a_reader_migrates_twice_while_entries_keep_coming(env, server, monkeypatch):
    monkeypatch.setenv("REDIS_URL", server.url)
    fleet = Fleet(env, server)
    try:
        fleet.start_node("a", "3.11")
        fleet.start_node("b", "3.12")
        fleet.start_node("c", "3.13")
        program_id = fleet.run(PROGRAMS / "stream_reader.py", "a")
        stop = threading.Event()
        sent = []

        def producer():
            n = 0
            while not stop.is_set():
                publish(server, [n])
                sent.append(n)
                n += 1
                time.sleep(0.01)

        thread = threading.Thread(target=producer)
        thread.start()
        try:
            for source, target in (("a", "b"), ("b", "c"), ("c", None)):
                line_end = f" on {source}\n".encode()
                fleet.wait_for(lambda end=line_end: end in fleet.output(program_id),
                               f"the reader to read on {source}")
                if target is not None:
                    moved = fleet.cli("migrate", program_id, "--to", target, "--json")
                    assert moved.returncode == 0, moved
                    assert json.loads(moved.stdout)["to"] == target
        finally:
            stop.set()
            thread.join()
        publish(server, [-1])
        fleet.wait_for(lambda: (fleet.program(program_id) or {}).get("status") == "exited",
                       "the reader to end")
        text = "".join(data.decode() for stream, data, _ in
                       logs.read(server.client(), program_id, follow=False) if stream == "out")
        numbers = got(text)
        assert numbers == sent, "every entry read once, in order"
        nodes = re.findall(r" on (\w+)$", text, flags=re.M)
        assert nodes[0] == "a" and nodes[-1] == "c" and "b" in nodes
    finally:
        fleet.stop()
