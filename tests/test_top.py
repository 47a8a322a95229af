"""``framemig top`` driven by keys, against real nodes on a real Redis.

The app runs in-process under textual's test pilot (headless, 80x24); what is asserted is
what the screen shows. One test drives the real command in tmux, to see the terminal
restored when it quits.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from tests.harness import HERE, python

COUNTER = HERE / "programs" / "fleet" / "counter.py"  # counts until a file (never made) exists
ROW = r"{}\s+(?:up|busy|gone)\s+\S+\s+\S+\s+3\.1\d"  # a node's row: status, host, arch, python


def screen_text(app) -> str:
    """The characters on the screen, from textual's own screenshot."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape(" ".join(lines)).replace("\xa0", " ")


@pytest.fixture(autouse=True)
def patient_pilot(monkeypatch):
    """textual's pilot waits up to 30 s for the app to take in each key press; on a starved
    machine (a loaded 2-core CI box) that is not always enough, so it may wait 3 minutes.
    It is a wait for a condition: it ends as soon as the app is done."""
    from textual.pilot import Pilot

    wait = Pilot._wait_for_screen

    async def patient(self, timeout: float = 30.0) -> bool:
        return await wait(self, timeout=max(timeout, 180.0))
    monkeypatch.setattr(Pilot, "_wait_for_screen", patient)


async def shows(pilot, what, timeout: float = 60.0) -> str:
    """Wait until the screen shows ``what`` (a string or a predicate on the text). A
    screenshot costs the app time: it is taken three times a second."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        await pilot.pause(0.3)
        text = screen_text(pilot.app)
        if (what(text) if callable(what) else what in text):
            return text
    raise AssertionError(f"the screen never showed {what!r}; it shows:\n{text}")


def make_app(server):
    from framemig.bus import connection
    from framemig.ui.app import TopApp

    return TopApp(connection.connect(server.url), server.url, refresh=0.5)


def run(coroutine):
    return asyncio.run(coroutine)


def test_pause_resume_and_migrate_with_keys(fleet, tmp_path):
    fleet.start_node("alpha")
    fleet.start_node("beta")
    program_id = fleet.run(COUNTER, "alpha", tmp_path / "stop")

    async def scenario():
        app = make_app(fleet.server)
        async with app.run_test(size=(80, 24)) as pilot:
            await shows(pilot, program_id)
            await shows(pilot, "beta")
            await pilot.press("p")
            await shows(pilot, f"{program_id} paused on alpha")
            await shows(pilot, "paused")
            assert fleet.program(program_id)["status"] == "paused"
            await pilot.press("r")
            await shows(pilot, f"{program_id} resumed on alpha")
            assert fleet.program(program_id)["status"] == "running"
            await pilot.press("m")
            await shows(pilot, f"Move {program_id} from alpha to")
            await pilot.press("enter")
            text = await shows(pilot, f"{program_id} moved alpha -> beta", timeout=120)
            assert "safe point" in text and "restore" in text
            # moved from another terminal: the view hears of it and says so
            moved = await asyncio.to_thread(fleet.cli, "migrate", program_id, "--to", "alpha")
            assert moved.returncode == 0, moved
            await shows(pilot, f"{program_id} moved beta -> alpha")
            await pilot.press("question_mark")
            await shows(pilot, "follow its output")
            await pilot.press("escape")
            await pilot.press("l")  # its output, as it comes; Esc goes back
            await shows(pilot, lambda t: f"output of {program_id}" in t and "step " in t)
            await pilot.press("escape")
            await shows(pilot, lambda t: f"output of {program_id}" not in t and "alpha" in t)
            await pilot.press("q")
    run(scenario())
    assert fleet.program(program_id)["node"] == "alpha"
    assert fleet.program(program_id)["status"] == "running"


def test_nodes_appear_turn_gone_and_leave(fleet, monkeypatch):
    from framemig.ui import fleetview

    monkeypatch.setattr(fleetview, "GONE_LINGER", 3.0)
    fleet.start_node("steady")

    async def scenario():
        app = make_app(fleet.server)
        async with app.run_test(size=(80, 24)) as pilot:
            await shows(pilot, "steady")
            doomed = fleet.start_node("doomed")
            await shows(pilot, lambda t: re.search(ROW.format("doomed"), t))
            await shows(pilot, "node doomed up")  # the event, in the status line
            doomed.send_signal(signal.SIGKILL)  # no goodbye: its heartbeat just stops
            await shows(pilot, lambda t: re.search(ROW.format("doomed").replace(
                "(?:up|busy|gone)", "gone"), t), timeout=60)
            # its row leaves (the status line may still tell that it came up)
            await shows(pilot, lambda t: not re.search(ROW.format("doomed"), t), timeout=60)
            assert "steady" in screen_text(app)
    run(scenario())


def test_kill_asks_first_and_failures_are_shown(fleet, tmp_path):
    fleet.start_node("solo")
    program_id = fleet.run(COUNTER, "solo", tmp_path / "stop")

    async def scenario():
        app = make_app(fleet.server)
        async with app.run_test(size=(80, 24)) as pilot:
            await shows(pilot, program_id)
            await pilot.press("m")  # nowhere to go
            await shows(pilot, "no other live node")
            await pilot.press("k")
            await shows(pilot, f"Kill {program_id}")
            await pilot.press("n")
            await shows(pilot, "not killed")
            assert fleet.program(program_id)["status"] == "running"
            await pilot.press("r")  # not paused: resumed all the same, as pause answers
            await shows(pilot, f"{program_id} resumed on solo")
            await pilot.press("k")
            await pilot.press("y")
            await shows(pilot, f"{program_id} killed on solo")
            await pilot.press("r")  # it has ended: the node says so, the screen shows it
            await shows(pilot, "failed:")
    run(scenario())


def test_filter_sort_and_the_80x24_layout(fleet, tmp_path):
    fleet.start_node("north")
    fleet.start_node("south")
    first = fleet.run(COUNTER, "north", tmp_path / "stop")
    second = fleet.run(COUNTER, "south", tmp_path / "stop")

    async def scenario():
        app = make_app(fleet.server)
        async with app.run_test(size=(80, 24)) as pilot:
            await shows(pilot, lambda t: first in t and second in t)
            for selector in ("#headline", "#nodes", "#programs", "#detail", "#status"):
                region = app.query_one(selector).region
                assert region.height >= 1 and region.right <= 80 and region.bottom <= 24, \
                    (selector, region)
            await pilot.press("slash")
            await pilot.press(*"south")
            await pilot.press("enter")
            await shows(pilot, lambda t: second in t and first not in t)
            await pilot.press("slash", "escape")
            await shows(pilot, lambda t: first in t and second in t)
            await pilot.press("s")
            await shows(pilot, "sorted by name")
        app = make_app(fleet.server)
        async with app.run_test(size=(160, 50)) as pilot:  # more room: the tables grow
            await shows(pilot, first)
            assert app.query_one("#nodes").region.height > 6
    run(scenario())


def test_once_prints_one_plain_frame(fleet, tmp_path):
    fleet.start_node("plain")
    program_id = fleet.run(COUNTER, "plain", tmp_path / "stop")
    done = fleet.cli("top", "--once")
    assert done.returncode == 0, done
    text = done.stdout.decode()
    assert "\x1b[" not in text
    assert re.search(r"plain\s+(up|busy)", text)  # busy: the machine is loaded
    assert re.search(rf"{program_id}\s+counter.py\s+plain\s+running", text)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("how", ["q", "SIGTERM"])
def test_the_terminal_is_restored_when_top_quits(fleet, env, tmp_path, how):
    fleet.start_node("tty")
    socket = str(tmp_path / "tmux.sock")
    command = f"{python('3.11')} -m framemig top --redis {fleet.server.url}; echo TOP-ENDED-$?; sleep infinity"
    tmux = ["tmux", "-S", socket]
    subprocess.run([*tmux, "new-session", "-d", "-x", "80", "-y", "24", command],
                   check=True, env=env.vars())
    try:
        def pane() -> str:
            return subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True,
                                  text=True).stdout

        def wait(what: str) -> str:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                text = pane()
                if what in text:
                    return text
                time.sleep(0.2)
            raise AssertionError(f"tmux pane never showed {what!r}:\n{pane()}")

        wait("tty")
        if how == "q":
            subprocess.run([*tmux, "send-keys", "q"], check=True)
        else:
            shell = subprocess.run([*tmux, "display", "-p", "#{pane_pid}"], capture_output=True,
                                   text=True).stdout.strip()
            top = subprocess.run(["pgrep", "-P", shell], capture_output=True,
                                 text=True).stdout.split()[0]
            os.kill(int(top), signal.SIGTERM)
        text = wait("TOP-ENDED-")
        assert "framemig top" not in text  # the alternate screen is gone
        mode = subprocess.run([*tmux, "display", "-p", "#{alternate_on}"],
                              capture_output=True, text=True).stdout.strip()
        assert mode == "0"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_what_workers_hand_over_while_top_closes_is_not_drawn(server):
    """Refreshes, fleet events and command outcomes come from worker threads at any moment,
    also while the app shuts down and its widgets go one by one; drawing them then crashed
    the app (NoMatches '#headline'). Here each lands as a widget of the main view goes."""
    from textual import events
    from textual.message_pump import active_message_pump

    app = make_app(server)
    landed = []

    def hook(message) -> None:
        if isinstance(message, events.Unmount) and active_message_pump.get() is not app:
            landed.append(active_message_pump.get())
            app.draw(None)
            app.say("a late outcome")
            app._on_event({"event": "node_up", "node": "late"})

    async def scenario():
        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
            await shows(pilot, "framemig top")
    run(scenario())
    assert len(landed) > 5  # the headline, the tables, the detail, the status line, ...


def test_a_program_listed_by_two_nodes_while_it_moves_is_one_row(server):
    from framemig.bus import registry
    from framemig.ui.fleetview import FleetView

    conn = server.client()
    now = time.time()  # what two nodes report in the middle of a migration:
    registry.heartbeat(conn, {"name": "a", "heartbeat": now, "programs": [
        {"id": "p1", "name": "x.py", "status": "migrating"}]})
    registry.heartbeat(conn, {"name": "b", "heartbeat": now, "programs": [
        {"id": "p1", "name": "x.py", "status": "held"}]})
    view = FleetView(conn)
    view.refresh()
    rows = view.program_rows()
    assert [(p["id"], p["node"], p["status"]) for p in rows] == [("p1", "a", "migrating")]
