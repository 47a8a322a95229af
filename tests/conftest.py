import pytest

from tests.harness import Env


@pytest.fixture
def env(tmp_path):
    return Env(tmp_path)
