import pytest

from tests.fleet_harness import Fleet, RedisServer
from tests.harness import Env


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
