"""The screens ``framemig top`` opens over its main view: help, kill confirmation, the
choice of a migration target, the output follower."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, OptionList, RichLog, Static

from framemig.bus import protocol

HELP = """\
[b]framemig top[/b] - the fleet, live; keys as in htop and k9s

  [b]Up/Down[/b]   move in a table        [b]Tab[/b]    nodes <-> programs
  [b]Enter[/b]     on a node: show only its programs; on a program: its details
  [b]a[/b]         programs of all nodes

  [b]p[/b]  pause the program         [b]r[/b]  resume it
  [b]m[/b]  migrate it: choose the target node, Enter
  [b]k[/b]  kill it (asks first)      [b]l[/b]  follow its output (Esc to come back)

  [b]/[/b]  filter (Enter keeps it, Esc clears)   [b]s[/b]  sort programs by the next key
  [b]?[/b]  this help                             [b]q[/b]  quit

Node status: [green]up[/] [yellow]busy[/] (CPU >= 80%) [red]gone[/] (no heartbeat for 3 s;
it leaves after 10 s). The status line at the bottom shows what each key did, and how
long each migration phase took. Esc closes this help."""


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: auto; max-width: 100%; height: auto; max-height: 100%;
                          border: round $accent; padding: 0 1; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help")


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "yes"), Binding("n,escape", "answer(False)", "no")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Label { border: round $error; padding: 0 1; background: $surface; }
    """

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield Label(f"{self.question}  [b]y[/b]/[b]n[/b]")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TargetScreen(ModalScreen[str | None]):
    """Where to move a program: the live nodes but its own."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    TargetScreen { align: center middle; }
    TargetScreen > Vertical { width: 50; max-width: 100%; height: auto; max-height: 80%;
                              border: round $accent; background: $surface; }
    TargetScreen OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, program_id: str, source: str, targets: list[str]):
        super().__init__()
        self.program_id, self.source, self.targets = program_id, source, targets

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f" Move {self.program_id} from {self.source} to:")
            yield OptionList(*self.targets, id="targets")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.targets[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class LogScreen(Screen):
    """A program's output as it comes, wherever it runs (`l`).

    Lines are read in a worker thread and written on the app's loop; when the screen
    closes it stops following first, so lines read meanwhile are not written to a log
    that is being taken away."""

    BINDINGS = [Binding("escape,q,l", "close", "back")]

    def __init__(self, conn, program_id: str):
        super().__init__()
        self.conn, self.program_id = conn, program_id
        self.last = "0-0"
        self.following = True
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Label(f" output of {self.program_id} (following; Esc to go back)")
        yield RichLog(id="log", max_lines=5000, wrap=True, markup=False, highlight=False)
        yield Footer()

    def on_mount(self) -> None:
        self.follow()
        self._timer = self.set_interval(0.25, self.follow)

    def action_close(self) -> None:
        self.following = False
        if self._timer is not None:
            self._timer.stop()
        self.workers.cancel_group(self, "follow")
        self.dismiss()

    def follow(self) -> None:
        if self.following:
            self.run_worker(self._read, thread=True, exclusive=True, group="follow")

    def _read(self) -> None:
        batches = self.conn.xread({protocol.logs_key(self.program_id): self.last}, count=1000)
        lines = []
        for entry_id, fields in batches[0][1] if batches else []:
            self.last = entry_id
            stream, data = fields[b"s"].decode(), fields[b"d"]
            node = fields.get(b"n", b"").decode()
            if stream == "exit":
                lines.append(f"[exited with {data.decode()} on {node}]")
            else:
                lines.extend(data.decode(errors="replace").splitlines())
        if lines:
            self.app.call_from_thread(self._write, lines)

    def _write(self, lines: list[str]) -> None:
        if not (self.following and self.app.is_running):  # closed, or the app shuts down
            return
        log = self.query_one("#log", RichLog)
        for line in lines:
            log.write(line)

