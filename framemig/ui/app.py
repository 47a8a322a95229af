"""The live view: nodes, the programs of the selected node (or all), the highlighted
program's output and migrations, and a status line that says what every key did.

The registry is read in a worker thread — once per refresh period, and at once when an
event arrives on the fleet's event channel, so a change shows within a second without
hammering Redis. Tables are updated cell by cell, so a fleet of a thousand nodes does not
redraw a thousand rows every second.

What the workers bring is drawn on the app's loop, and only while the app runs: once it
shuts down (q, SIGTERM, the end of a test) its screens are taken apart, and a refresh that
lands then has nothing to draw on.
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from framemig.bus import protocol
from framemig.errors import FramemigError
from framemig.ui import steering
from framemig.ui.fleetview import FleetView
from framemig.ui.frame import NODE_COLUMNS, PROGRAM_COLUMNS, headline, node_cells, program_cells
from framemig.ui.screens import ConfirmScreen, HelpScreen, LogScreen, TargetScreen

NODE_STYLES = {"up": "green", "busy": "yellow", "gone": "red", "stopping": "yellow"}
PROGRAM_STYLES = {"running": "green", "paused": "yellow", "migrating": "cyan", "held": "cyan",
                  "lost": "red"}


class TopApp(App):
    TITLE = "framemig top"
    CSS = """
    #headline { height: 1; background: $primary-background; }
    DataTable { height: 1fr; }
    #nodes { min-height: 4; }
    #programs { min-height: 4; }
    #detail { height: 1fr; min-height: 3; border-top: solid $primary; overflow-y: auto; }
    #status { height: auto; max-height: 2; background: $boost; }
    #filter { dock: bottom; display: none; }
    #filter.shown { display: block; }
    """
    BINDINGS = [
        Binding("q", "quit", "quit"), Binding("question_mark", "help", "help"),
        Binding("p", "pause", "pause"), Binding("r", "resume", "resume"),
        Binding("m", "migrate", "migrate"), Binding("k", "kill", "kill"),
        Binding("l", "follow", "logs"), Binding("slash", "filter", "filter"),
        Binding("s", "sort", "sort"), Binding("a", "all_nodes", "all", show=False),
        Binding("tab", "switch", "nodes/programs", show=False),
    ]

    def __init__(self, conn, where: str, refresh: float = 1.0):
        super().__init__()
        self.conn, self.where, self.period = conn, where, refresh
        self.view = FleetView(conn)
        self._stop = threading.Event()
        self._rows: dict[str, list] = {"nodes": [], "programs": []}
        self._detail_for: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("framemig top", id="headline")
        nodes = DataTable(id="nodes", cursor_type="row", zebra_stripes=True)
        nodes.add_columns(*NODE_COLUMNS)
        yield nodes
        programs = DataTable(id="programs", cursor_type="row", zebra_stripes=True)
        programs.add_columns(*PROGRAM_COLUMNS)
        yield programs
        yield Static("", id="detail")
        yield Static("? for help", id="status")
        yield Input(placeholder="filter: part of a name, id, node, status", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):  # leave the terminal as we found it
            loop.add_signal_handler(signum, self.exit)
        self.part("#programs", DataTable).focus()
        self.reload()
        self.set_interval(self.period, self.reload)
        self.listen()

    def part(self, selector: str, kind=None):
        """A widget of the main view, whichever screen is on top."""
        screen = self.screen_stack[0] if self.screen_stack else self.screen
        return screen.query_one(selector, kind) if kind else screen.query_one(selector)

    def on_unmount(self) -> None:
        self._stop.set()

    @property
    def drawable(self) -> bool:
        """Whether the main view is there to draw on. Not while the app shuts down: its
        screens are being taken apart then, and a refresh, an event or a command's outcome
        that a worker hands over at that moment finds no widgets (textual stops the app's
        loop first, so ``is_running`` turns false before the first widget goes)."""
        return self.is_running

    # --- data ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reload")
    def reload(self) -> None:
        if not self.drawable:
            return
        try:
            self.view.refresh()
            detail = self._fetch_detail()
        except Exception as error:  # Redis away: say so, keep the last picture
            self.call_from_thread(self.say, f"cannot read the fleet: {error}", error=True)
            return
        self.call_from_thread(self.draw, detail)

    @work(thread=True, group="events")
    def listen(self) -> None:
        """Refresh as soon as the fleet says something changed."""
        while not self._stop.is_set() and self.drawable:
            try:
                pubsub = self.conn.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(protocol.EVENTS)
                while not self._stop.is_set() and self.drawable:
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self.call_from_thread(self._on_event, json.loads(message["data"]))
                pubsub.close()
            except Exception:
                self._stop.wait(1.0)

    def _on_event(self, event: dict) -> None:
        """Redraw now; what happened elsewhere in the fleet (another terminal moved a
        program, a node came or went) is said in the status line too."""
        if not self.drawable:
            return
        self.reload()
        kind = event.get("event")
        if kind == "program_migrated":
            self.say(f"{event.get('program')} moved {event.get('source')} -> "
                     f"{event.get('node')}: {steering.phases_text(event.get('phases', {}))}")
        elif kind == "program_migration_failed":
            self.say(f"{event.get('program')} did not move to {event.get('to')}: "
                     f"{event.get('reason')}", error=True)
        elif kind in ("node_up", "node_down"):
            self.say(f"node {event.get('node')} {'up' if kind == 'node_up' else 'down'}")

    def _fetch_detail(self):
        program_id = self._detail_for
        if program_id is None:
            return None
        return program_id, *steering.detail(self.conn, program_id, 50)

    # --- drawing ------------------------------------------------------------------------------

    def draw(self, detail) -> None:
        if not self.drawable:
            return
        view = self.view
        filtered = f" - filter '{view.filter}'" if view.filter else ""
        scope = view.selected_node or "all nodes"
        self.part("#headline", Static).update(
            f"{headline(view, self.where)} - programs of {scope}, by {view.sort}{filtered}")
        self.sub_title = scope
        node_rows = [(r.name, node_cells(r)) for r in view.node_rows()]
        self._fill("nodes", node_rows, NODE_STYLES, status_column=1)
        program_rows = [(p["id"], program_cells(p)) for p in view.program_rows()]
        self._fill("programs", program_rows, PROGRAM_STYLES, status_column=3)
        self._show_detail(detail)

    def _fill(self, name: str, rows: list[tuple[str, tuple]], styles: dict,
              status_column: int) -> None:
        table = self.part(f"#{name}", DataTable)

        def styled(cells: tuple) -> list:
            out = list(cells)
            status = cells[status_column].split(" ")[0]
            out[status_column] = Text(cells[status_column], style=styles.get(status, ""))
            return out

        old = self._rows[name]
        if [key for key, _ in old] == [key for key, _ in rows]:
            columns = list(table.columns)
            for (key, before), (_, after) in zip(old, rows):
                if before != after:
                    for n, (a, b) in enumerate(zip(before, after)):
                        if a != b:
                            table.update_cell(key, columns[n], styled(after)[n])
        else:
            current = self._cursor_key(table)
            table.clear()
            for key, cells in rows:
                table.add_row(*styled(cells), key=key)
            if current is not None and any(key == current for key, _ in rows):
                table.move_cursor(row=table.get_row_index(current))
        self._rows[name] = rows

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    def _show_detail(self, detail) -> None:
        if not self.drawable:
            return
        pane = self.part("#detail", Static)
        program_id = self._cursor_key(self.part("#programs", DataTable))
        if program_id != self._detail_for:
            self._detail_for = program_id
            if program_id is not None:
                self.reload()
        if program_id is None:
            pane.update("no program selected")
            return
        if detail is None or detail[0] != program_id:
            return
        _, lines, history = detail
        text = Text()
        text.append(f"{program_id}", style="bold")
        program = self.view.program(program_id) or {}
        text.append(f" {program.get('name', '')} on {program.get('node', '?')}")
        for move in history[-3:]:
            text.append(f"\n  moved {move.get('from')} -> {move.get('to')} "
                        f"({move.get('python_from', '')} -> {move.get('python_to', '')}): "
                        f"safe point {move.get('safe_point_ms', 0):.0f}, capture "
                        f"{move.get('capture_ms', 0):.0f}, transfer "
                        f"{move.get('transfer_ms', 0):.0f}, restore "
                        f"{move.get('restore_ms', 0):.0f} ms", style="cyan")
        room = max(3, self.part("#detail").size.height - 2 - min(3, len(history)))
        for line in lines[-room:]:
            text.append("\n" + line)
        pane.update(text)

    def say(self, message: str, error: bool = False) -> None:
        if not self.drawable:
            return
        stamp = time.strftime("%H:%M:%S")
        self.part("#status", Static).update(
            Text(f"{stamp} {message}", style="bold red" if error else ""))

    # --- keys ---------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "programs":
            self._show_detail(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "nodes":
            self.view.selected_node = event.row_key.value
            self.say(f"programs of {event.row_key.value} (a: all nodes)")
            self.draw(None)
            self.part("#programs", DataTable).focus()
        else:
            self._detail_for = None
            self._show_detail(None)

    def action_all_nodes(self) -> None:
        self.view.selected_node = None
        self.say("programs of all nodes")
        self.draw(None)

    def action_switch(self) -> None:
        nodes, programs = self.part("#nodes"), self.part("#programs")
        (programs if nodes.has_focus else nodes).focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_sort(self) -> None:
        self.say(f"programs sorted by {self.view.next_sort()}")
        self.draw(None)

    def action_filter(self) -> None:
        box = self.part("#filter", Input)
        box.add_class("shown")
        box.value = self.view.filter
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.view.filter = event.value.strip()
        self._close_filter()
        self.say(f"filter '{self.view.filter}'" if self.view.filter else "no filter")

    def on_key(self, event) -> None:
        box = self.part("#filter", Input)
        if event.key == "escape" and box.has_class("shown"):
            self.view.filter = ""
            self._close_filter()
            self.say("no filter")
            event.stop()

    def _close_filter(self) -> None:
        self.part("#filter", Input).remove_class("shown")
        self.part("#programs", DataTable).focus()
        self.draw(None)

    def _selected(self) -> dict | None:
        program_id = self._cursor_key(self.part("#programs", DataTable))
        program = self.view.program(program_id) if program_id else None
        if program is None:
            self.say("select a program first (Tab to the programs, arrows to choose)",
                     error=True)
        return program

    def action_pause(self) -> None:
        if program := self._selected():
            self.say(f"pausing {program['id']}...")
            self.steer(steering.pause, program["id"])

    def action_resume(self) -> None:
        if program := self._selected():
            self.say(f"resuming {program['id']}...")
            self.steer(steering.resume, program["id"])

    def action_kill(self) -> None:
        program = self._selected()
        if program is None:
            return

        def answered(yes: bool) -> None:
            if yes:
                self.say(f"killing {program['id']}...")
                self.steer(steering.kill, program["id"])
            else:
                self.say("not killed")
        self.push_screen(ConfirmScreen(f"Kill {program['id']} ({program.get('name')}) on "
                                       f"{program['node']}?"), answered)

    def action_migrate(self) -> None:
        program = self._selected()
        if program is None:
            return
        targets = self.view.live_nodes(except_node=program["node"])
        if not targets:
            self.say("no other live node to move it to", error=True)
            return

        def chosen(target: str | None) -> None:
            if target is None:
                self.say("migration cancelled")
                return
            self.say(f"migrating {program['id']} {program['node']} -> {target}...")
            self.steer(steering.migrate, program["id"], target)
        self.push_screen(TargetScreen(program["id"], program["node"], targets), chosen)

    def action_follow(self) -> None:
        if program := self._selected():
            self.push_screen(LogScreen(self.conn, program["id"]))

    @work(thread=True, group="steer")
    def steer(self, action, *args) -> None:
        try:
            outcome, failed = action(self.conn, *args), False
        except FramemigError as error:
            outcome, failed = f"failed: {error.message}", True
        except Exception as error:  # Redis trouble and the like: shown, not swallowed
            outcome, failed = f"failed: {error}", True
        self.call_from_thread(self.say, outcome, failed)
        self.call_from_thread(self.reload)
