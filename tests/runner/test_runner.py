"""The engine setting: its validation, and the one-line errors of a Spark that cannot be used (no pyspark needed)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from skulab.config import Config, EngineConfig, override
from skulab.errors import ConfigError
from skulab.runner import MASTER_TIMEOUT, _check_master, make_runner


def test_local_is_the_default_and_runs_in_this_process(ci_config: Config) -> None:
    assert ci_config.engine == EngineConfig(name="local", master="local[2]", conf={})
    assert make_runner(ci_config.engine) == "native"


def test_a_mistyped_engine_name_suggests_spark(ci_config: Config) -> None:
    with pytest.raises(ConfigError, match=r"engine\.name: Input should be 'local' or 'spark' "
                                          r"\(got 'sparkk'; did you mean 'spark'\?\)"):
        override(ci_config, "engine", name="sparkk")


@pytest.mark.parametrize(("change", "message"), [
    ({"master": "spark:/host"}, r"engine\.master: is not a Spark master URL: write local\[2\], spark://host:7077"),
    ({"master": "spark://host:port"}, r"engine\.master: is not a Spark master URL"),
    ({"conf": {"executor.memory": "2g"}}, r"engine\.conf\.executor\.memory is not a Spark setting"),
])
def test_a_bad_master_or_setting_is_one_line(ci_config: Config, change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        override(ci_config, "engine", name="spark", **change)


def test_a_master_that_does_not_answer_is_one_line_within_the_timeout() -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match=rf"engine\.master spark://127\.0\.0\.1:{port}: no Spark master answers "
                                          rf"within {MASTER_TIMEOUT:g} s \(127\.0\.0\.1:{port} .*\): start the master"):
        make_runner(EngineConfig(name="spark", master=f"spark://127.0.0.1:{port}"))
    assert time.perf_counter() - t0 < MASTER_TIMEOUT + 1


def test_one_answering_master_of_several_is_enough_to_go_on() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
    with socket.socket() as live:
        live.bind(("127.0.0.1", 0))
        live.listen(1)
        _check_master(f"spark://127.0.0.1:{dead},127.0.0.1:{live.getsockname()[1]}")  # the second one answers


HIDDEN = """
import sys
sys.modules["pyspark"] = None  # as if the spark extra were not installed
from skulab.config import EngineConfig
from skulab.runner import make_runner
from skulab.errors import ConfigError
try:
    make_runner(EngineConfig(name="spark"))
except ConfigError as exc:
    print(exc)
"""


def test_spark_without_pyspark_says_how_to_install_the_extra() -> None:
    out = subprocess.run([sys.executable, "-c", HIDDEN], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout == ("engine.name is 'spark' but pyspark is not installed: install the spark extra: "
                          "pip install -e .[spark]\n")
