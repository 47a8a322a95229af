"""``framemig node``: the daemon on each device.

It registers in Redis and keeps its record alive with a heartbeat, listens for commands
on its channel, and runs programs as child processes. Like rq's workers: the record and
its expiry are written together at birth and renewed at each heartbeat, a name that is
alive is refused, a death record is written on a clean exit, and teardown happens in
``finally``. If Redis goes away after start-up, the node keeps retrying with backoff.

The record is the node's lease: while it lives, the node owns its programs (at their
epochs, :mod:`framemig.bus.ownership`). Each heartbeat checks those epochs and ends a copy
that was resumed elsewhere; the fence (:mod:`framemig.node.fence`) stops the programs of
a node that cannot renew its lease before other nodes may resume them. Beside the
heartbeat run the checkpoints (:mod:`framemig.node.checkpoints`) and the failover watch
(:mod:`framemig.node.failover`). The first SIGTERM drains the node — its programs move
to other nodes — or, with nowhere to go, ends them gently; a second one forces.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

import psutil
import redis

from framemig import __version__, env
from framemig.bus import bundle, connection, logs, ownership, protocol, registry
from framemig.errors import (
    CommandFailed,
    ExitCode,
    FramemigError,
    NameTaken,
    NoSuchProgram,
    Untrusted,
)
from framemig.keys import KEY_ENV, FleetKey
from framemig.node import checkpoints as node_checkpoints
from framemig.node import credentials, drain, fence, handlers
from framemig.node.failover import Failover
from framemig.snapshot import format as snapshot_format

BACKOFF = (0.5, 1, 2, 4, 8)
RENEW = 3600  # seconds between renewals of the expiry of the programs' records and bundles
FENCE_AFTER = registry.NODE_TTL - 2.0  # unrenewed for this long, the programs are stopped


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"{stamp} {message}", file=sys.stderr, flush=True)


class Node:
    def __init__(self, url: str, name: str, labels: dict, workdir: str | None = None,
                 checkpoint_every: float = node_checkpoints.DEFAULT_EVERY,
                 key: FleetKey | None = None):
        self.url = url
        self.name = name
        self.key = key  # None: an insecure fleet (--insecure), which checks nothing
        protocol.signing.use(key, f"node:{name}")
        self.labels = labels
        self.instance = uuid.uuid4().hex[:12]  # this process: a restarted node is another
        self.program_users = credentials.ProgramUsers(url, self.instance, log)
        self.checkpoint_every = checkpoint_every
        self.cordoned = False  # takes no new programs (drain, uncordon)
        self.draining = False
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"framemig-node-{name}-")
        os.makedirs(self.workdir, exist_ok=True)
        # The node and its programs must agree on where programs register and are asked.
        os.environ["FRAMEMIG_RUN_DIR"] = os.path.join(self.workdir, "run")
        os.environ["FRAMEMIG_CACHE_DIR"] = os.path.join(self.workdir, "cache")
        self.conn: redis.Redis | None = None
        self.programs: dict = {}  # id -> ManagedProgram
        self.programs_lock = threading.Lock()
        self.adopting: set[str] = set()  # ids of programs being adopted (node/migrate.py)
        self.stopping = threading.Event()
        self.stopped = threading.Event()
        self._released = threading.Event()  # the record is gone: no heartbeat writes it again
        self._record_lock = threading.Lock()
        self._changed = threading.Event()  # a program changed: heartbeat now, not later
        self.started = time.time()
        # a command holds its worker as long as it runs (an adoption: its whole restore);
        # enough of them that 32 migrations to one node at once all find one
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=64,
                                                          thread_name_prefix="command")
        self._signals = 0
        self._standby = None  # a restore process kept ready (programs.Standby)
        self._standby_lock = threading.Lock()
        self._renewed = time.monotonic()  # when the programs' records were last renewed
        self._redis_run_id = None  # Redis' run id: a new one means it restarted, empty
        self._fence: subprocess.Popen | None = None
        self.renewed = time.monotonic()  # the last heartbeat whose epochs were checked
        self._lease = os.path.join(self.workdir, "lease")
        psutil.cpu_percent(None)

    def log(self, message: str) -> None:
        log(message)

    # --- life -------------------------------------------------------------------------------

    def run(self) -> int:
        self.conn = connection.connect(self.url)
        if not registry.claim(self.conn, self.record()):
            raise NameTaken(f"a node named {self.name!r} is already alive on "
                            f"{connection.redacted(self.url)} (a stopped one vanishes within "
                            f"{registry.NODE_TTL} s)")
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        protocol.announce(self.conn, "node_up", node=self.name)
        facts = self.facts()
        log(f"node {self.name} up: {facts['python']} on {facts['arch']}, {facts['cpus']} CPUs, "
            f"Redis {connection.redacted(self.url)}, programs in {self.workdir}")
        self.program_users.setup(self.conn)  # programs get Redis users of their own
        self._start_fence()
        threads = [threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True),
                   threading.Thread(target=self._listen, name="listener", daemon=True),
                   node_checkpoints.Checkpointer(self), Failover(self)]
        for thread in threads:
            thread.start()
        self.pool.submit(self._prepare_standby)
        try:
            while not self.stopping.wait(0.5):
                pass
        finally:
            self._shutdown()
        return 0

    def _on_signal(self, signum, frame) -> None:
        self._signals += 1
        if self._signals == 1:
            log(f"node {self.name}: stopping (signal again to force)")
            self.stopping.set()
        else:
            log(f"node {self.name}: forced to stop")
            for program in list(self.programs.values()):
                if program.process and program.process.poll() is None:
                    program.kill()
            os._exit(ExitCode.OK)

    def _start_fence(self) -> None:
        self._write_lease(time.monotonic())
        self._fence = subprocess.Popen([sys.executable, fence.__file__, self._lease,
                                        str(os.getpid())], stdin=subprocess.DEVNULL,
                                       env=credentials.without_secrets(os.environ))

    def _write_lease(self, renewed: float) -> None:
        with self.programs_lock:
            groups = [p.process.pid for p in self.programs.values()
                      if p.process is not None and p.process.poll() is None]
        partial = self._lease + ".new"
        with open(partial, "w") as handle:
            json.dump({"renewed": renewed, "limit": FENCE_AFTER, "groups": groups}, handle)
        os.replace(partial, self._lease)

    def _shutdown(self) -> None:
        if self._signals == 1 and not self.draining:
            drain.on_stop(self)  # programs go to other nodes, if any can take them
        self.pool.shutdown(wait=False, cancel_futures=True)
        with self._standby_lock:
            standby, self._standby = self._standby, None
        if standby is not None:
            standby.discard()
        for program in list(self.programs.values()):
            if program.status in ("running", "paused", "held", "migrating", "starting"):
                log(f"stopping {program.id} ({program.record['name']})")
                program.moved_away = program.status == "held"
                program.terminate(gently=True)
        deadline = time.monotonic() + 5  # their last words reach Redis before we go
        for program in list(self.programs.values()):
            while program.status in registry.ALIVE and time.monotonic() < deadline:
                time.sleep(0.02)
        with self._record_lock:
            self._released.set()
        try:
            self.with_redis(lambda conn: registry.release(conn, self.name), attempts=2)
            self.with_redis(lambda conn: protocol.announce(conn, "node_down", node=self.name,
                                                           reason="stopped"), attempts=2)
        except redis.RedisError:
            pass
        if self._fence is not None:
            self._fence.terminate()  # (it ignores SIGTERM: it ends when it sees us gone)
        self.stopped.set()
        log(f"node {self.name} down")

    # --- Redis, with retries --------------------------------------------------------------------

    def with_redis(self, action, attempts: int | None = None):
        """Run ``action(conn)``, retrying with backoff while Redis is away."""
        tries = 0
        while True:
            try:
                return action(self.conn)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                tries += 1
                if attempts is not None and tries >= attempts:
                    raise
                if self.stopping.is_set() and attempts is None and tries > 3:
                    raise
                pause = BACKOFF[min(tries - 1, len(BACKOFF) - 1)]
                log(f"Redis unreachable ({str(exc).splitlines()[0]}); retrying in {pause} s")
                time.sleep(pause)

    # --- heartbeat --------------------------------------------------------------------------------

    def facts(self) -> dict:
        memory = psutil.virtual_memory()
        return {
            "name": self.name, "host": socket.gethostname(), "os": platform.system(),
            "arch": platform.machine(), "python": env.describe(),
            "python_version": list(sys.version_info[:3]), "cpus": os.cpu_count(),
            "memory_total": memory.total, "labels": self.labels, "pid": os.getpid(),
            "framemig": __version__, "instance": self.instance,
            "protocol": protocol.VERSION, "insecure": self.key is None,
            "key_id": self.key.id if self.key is not None else None,
            "started": datetime.datetime.fromtimestamp(self.started, datetime.UTC)
            .isoformat(timespec="seconds"),
        }

    def record(self) -> dict:
        memory = psutil.virtual_memory()
        with self.programs_lock:
            programs = [p.figures() for p in self.programs.values() if p.status != "moved"]
        status = "stopping" if self.stopping.is_set() else "draining" if self.draining else \
            "cordoned" if self.cordoned else "up"
        return {**self.facts(), "status": status, "checkpoint_every": self.checkpoint_every,
                "heartbeat": time.time(), "cpu_percent": psutil.cpu_percent(None),
                "memory_percent": memory.percent, "memory_used": memory.total - memory.available,
                "programs": programs, "adopting": sorted(self.adopting)}

    def _heartbeat(self) -> None:
        failures = 0
        while not self._released.is_set():  # also while a stopping node drains
            try:
                renewed = time.monotonic()
                with self._record_lock:
                    if self._released.is_set():
                        return
                    registry.heartbeat(self.conn, self.record())
                if failures:
                    log("Redis is back; node record renewed")
                    protocol.announce(self.conn, "node_up", node=self.name)
                failures = 0
                self._republish_if_forgotten()
                self._check_epochs()
                self.renewed = renewed  # (a program's output waits for this: programs.py)
                self._write_lease(renewed)
                self._unfence()
                self.cordoned = self.name in registry.cordoned(self.conn) or self.draining
                self._forget_finished()
                self._renew_programs()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                failures += 1
                pause = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
                log(f"heartbeat failed ({str(exc).splitlines()[0]}); retrying in {pause} s")
                self._released.wait(pause)
                continue
            self._changed.wait(registry.HEARTBEAT)
            self._changed.clear()

    def _republish_if_forgotten(self) -> None:
        """A Redis that restarted empty has forgotten this node's programs: the node holds
        the truth of its own, and writes their records again (``ps``, ``logs``,
        ``migrate`` and ``kill`` find them again within a heartbeat)."""
        run_id = self.conn.info("server").get("run_id")
        if run_id == self._redis_run_id:
            return
        first, self._redis_run_id = self._redis_run_id is None, run_id
        if first:
            return
        with self.programs_lock:
            alive = [p for p in self.programs.values()
                     if p.status in ("running", "paused", "migrating", "held")]
        for program in alive:
            ownership.reclaim(self.conn, program.id, self.name, self.instance, program.epoch)
            program.save()
        self.program_users.restore(self.conn)
        if self.cordoned:
            self.conn.sadd(registry.CORDONED, self.name)
        log(f"Redis restarted: the records of {len(alive)} program(s) written again")

    def _check_epochs(self) -> None:
        """End the copies whose epoch has moved on (resumed elsewhere while this node was
        thought dead); write the owner again where Redis has forgotten it."""
        with self.programs_lock:
            mine = [p for p in self.programs.values() if p.status in ("running", "paused")]
        if not mine:
            return
        for program, (node, epoch) in zip(mine, ownership.epochs(
                self.conn, [p.id for p in mine])):
            if node is None:
                ownership.reclaim(self.conn, program.id, self.name, self.instance,
                                  program.epoch)
            elif node != self.name or epoch != program.epoch:
                self.superseded(program)

    def wait_for_lease(self) -> None:
        """Wait while this node's lease may have run out (it was frozen, or Redis away):
        until the next heartbeat has checked its programs' epochs, nothing a program
        printed meanwhile may reach its output — that copy may have been superseded."""
        while time.monotonic() - self.renewed > FENCE_AFTER and not self._released.is_set():
            time.sleep(0.05)

    def superseded(self, program) -> None:
        """Another copy owns the program now (its node resumed it from a checkpoint while
        this one was thought dead): this copy ends at once, and says nothing more."""
        log(f"{program.id} ({program.record['name']}): its epoch moved on (it runs elsewhere "
            f"now); this copy ends")
        program.running = False  # what it printed since is not the program's any more
        with program.lock:
            program.moved_away = True
            program.status = "moved"
            program.kill()

    def _unfence(self) -> None:
        """The fence stopped the programs while the lease was not renewed; renewed, and
        their epochs checked, the ones still ours go on."""
        fenced = self._lease + ".fenced"
        if not os.path.exists(fenced):
            return
        with self.programs_lock:
            mine = [p for p in self.programs.values() if p.process is not None
                    and p.status not in ("moved", "exited")]
        for program in mine:
            try:
                os.killpg(program.process.pid, signal.SIGCONT)
            except (ProcessLookupError, PermissionError):
                pass
        os.unlink(fenced)
        log(f"lease renewed: {len(mine)} program(s) stopped by the fence go on")

    def changed(self) -> None:
        self._changed.set()

    def _renew_programs(self) -> None:
        """Once in a while, renew the expiry of the records and bundles of the programs
        that live here: they last as long as their programs, however long that is."""
        now = time.monotonic()
        if now - self._renewed < RENEW:
            return
        self._renewed = now
        with self.programs_lock:
            alive = [p.record for p in self.programs.values()
                     if p.status in ("running", "paused", "migrating", "held")]
        if not alive:
            return
        with self.conn.pipeline(transaction=False) as pipe:
            for record in alive:
                pipe.expire(protocol.program_key(record["id"]), registry.PROGRAM_TTL)
                if record.get("bundle_key"):
                    pipe.expire(record["bundle_key"], bundle.TTL)
            pipe.execute()

    def _forget_finished(self, after: float = registry.RETENTION) -> None:
        """Programs that moved away are forgotten at once; ended ones after the retention
        time, their records and checkpoints with them (``rm`` does it sooner)."""
        now = time.time()
        gone = []
        with self.programs_lock:
            for program_id, program in list(self.programs.items()):
                ended = getattr(program, "ended_at", None)
                if program.status == "moved" or (ended and now - ended > after):
                    del self.programs[program_id]
                    if program.status != "moved":
                        gone.append(program_id)
        for program_id in gone:
            registry.forget_program(self.conn, program_id)

    # --- commands ---------------------------------------------------------------------------------

    def _listen(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                pubsub = self.conn.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(protocol.node_channel(self.name))
                failures = 0
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self.pool.submit(self._handle, message["data"])
                pubsub.close()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                failures += 1
                pause = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
                log(f"command channel lost ({str(exc).splitlines()[0]}); "
                    f"resubscribing in {pause} s")
                self.stopping.wait(pause)

    def _handle(self, raw) -> None:
        request_id = None
        try:
            message = protocol.decode(raw)
            request_id = message["id"]
            if self.stopping.is_set():
                raise CommandFailed(f"node {self.name} is stopping")
            handler = handlers.HANDLERS[message["command"]]
            protocol.check_ids(message["args"])
            protocol.check_args(message["command"], message["args"])
            reply = handler(self, message["args"], lambda **data: protocol.answer(
                self.conn, request_id, True, **data))
            if reply is not None:
                protocol.answer(self.conn, request_id, True, **reply)
        except Untrusted as exc:
            request_id = _id_of(raw)
            log(f"refused: {exc.message}")
            if request_id:
                protocol.answer(self.conn, request_id, False, error=exc.message,
                                code=int(exc.code))
        except protocol.BadCommand as exc:
            request_id = _id_of(raw)
            log(f"bad command: {exc}")
            if request_id:
                protocol.answer(self.conn, request_id, False, error=str(exc),
                                code=int(ExitCode.COMMAND_FAILED))
        except FramemigError as exc:
            if request_id:
                protocol.answer(self.conn, request_id, False, error=exc.message,
                                code=int(exc.code))
        except Exception as exc:  # a bug: say so to the asker, keep the node up
            log(f"error handling a command:\n{traceback.format_exc()}")
            if request_id:
                protocol.answer(self.conn, request_id, False,
                                error=f"internal error on {self.name}: {exc}",
                                code=int(ExitCode.INTERNAL))

    # --- programs ------------------------------------------------------------------------------

    def signed_snapshot(self, data: bytes) -> bytes:
        """A snapshot this node's program wrote (unsigned: programs hold no key), signed
        before it leaves the node (a migration, a checkpoint)."""
        return data if self.key is None else snapshot_format.sign(data, self.key)

    def trusted_snapshot(self, data: bytes, what: str) -> None:
        """Raise Untrusted unless ``data`` is signed with the fleet key: a node restores
        nothing a key holder did not send (an insecure node checks nothing)."""
        if self.key is not None:
            snapshot_format.verify(data, self.key, what)

    def child_env(self, redis_url: str | None = None) -> dict:
        """A child's environment: no fleet key, none of the node's Redis credentials;
        ``redis_url`` is the program's own, for its data streams (node/credentials.py)."""
        environ = credentials.without_secrets(os.environ)
        environ.pop("FRAMEMIG_REPORT", None)
        environ.pop(KEY_ENV, None)  # a program does not command the fleet
        environ["FRAMEMIG_PRELOAD"] = "1"  # our programs exist to be moved: be ready
        if redis_url is not None:
            environ["FRAMEMIG_REDIS_URL"] = redis_url
        environ["FRAMEMIG_NODE"] = self.name
        return environ

    @property
    def incoming(self) -> str:
        """Where snapshots of programs moving here are written (and standbys wait)."""
        path = os.path.join(self.workdir, "incoming")
        os.makedirs(path, exist_ok=True)
        return path

    def program_dir(self, program_id: str) -> str:
        """This node's directory for a program's files (unpacked from its bundle): always
        directly under ``programs`` in the work dir, whatever the id says."""
        root = os.path.join(os.path.abspath(self.workdir), "programs")
        return os.path.join(root, protocol.valid_id(program_id, "program id"))

    def _prepare_standby(self) -> None:
        if self.stopping.is_set():
            return
        from framemig.node.programs import Standby

        standby = Standby(self, self.incoming)
        with self._standby_lock:
            if self._standby is None and not self.stopping.is_set():
                self._standby, standby = standby, None
        if standby is not None:
            standby.discard()

    def take_standby(self):
        """The ready restore process, if there is one alive; another is started for the
        next migration."""
        with self._standby_lock:
            standby, self._standby = self._standby, None
        self.pool.submit(self._prepare_standby)
        if standby is not None and not standby.alive():
            standby.discard()
            return None
        return standby

    def add(self, program) -> None:
        with self.programs_lock:
            self.programs[program.id] = program

    def program(self, program_id: str):
        with self.programs_lock:
            program = self.programs.get(program_id)
        if program is None or program.status == "moved":
            raise NoSuchProgram(f"program {program_id} does not run on node {self.name}")
        return program

    def program_ended(self, program) -> None:
        program.ended_at = program.record["ended_at"] = time.time()
        log(f"{program.id} ({program.record['name']}) exited with {program.exit_code}")
        self.with_redis(lambda conn: logs.ended(conn, program.id, program.exit_code, self.name))
        program.save()
        program.announce("program_exited", code=program.exit_code)


def _id_of(raw) -> str | None:
    try:
        value = json.loads(raw).get("id")
    except Exception:
        return None
    return value if protocol.is_request_id(value) else None
