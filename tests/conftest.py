import os

import pytest

from framemig import keys
from framemig.bus import protocol
from tests.fleet_harness import Fleet, RedisServer
from tests.harness import Env


@pytest.fixture(scope="session", autouse=True)
def fleet_key(tmp_path_factory):
    """The tests' fleet key: every node, CLI command and restore they start finds it in
    the environment, and the test process itself signs with it."""
    key = keys.generate(str(tmp_path_factory.mktemp("key") / "fleet.key"))
    os.environ[keys.KEY_ENV] = key.path
    protocol.signing.use(key, "tests")
    return key


@pytest.fixture
def env(tmp_path):
    return Env(tmp_path)


@pytest.fixture
def server(tmp_path):
    """A private redis-server on a unix socket."""
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    server = RedisServer(redis_dir)
    yield server
    server.stop()


@pytest.fixture
def fleet(env, server):
    """Node daemons on that server, stopped at the end of the test."""
    fleet = Fleet(env, server)
    yield fleet
    fleet.stop()
