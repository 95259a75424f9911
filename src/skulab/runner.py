"""The runner partitioned jobs run on: this process, or a Spark cluster, as `fugue.transform(engine=...)` takes it.

A partition function is written once (pandas in, pandas out) and Fugue runs it on either; `local` needs nothing
beyond the base install, `spark` the spark extra (pyspark) and Java. In Python this side is the `runner` (the
SQLAlchemy database is the `engine`); a profile chooses it with its `engine:` section, a command with `--engine`.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from skulab.config import EngineConfig
from skulab.errors import ConfigError

MASTER_TIMEOUT = 3.0  # seconds a Spark master (or the Kubernetes API) has to accept a TCP connection
SPARK_PORT = 7077
# the driver JVM's log settings (no start-up warnings; errors once make_runner lowers the level) and no JVM warnings,
# so reports and consoles show no start-up chatter
QUIET_LOG = Path(__file__).with_name("spark-log4j2.properties")
DEFAULT_CONF = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                "spark.sql.session.timeZone": "UTC", "spark.sql.execution.arrow.pyspark.enabled": "true"}


def make_runner(cfg: EngineConfig) -> Any:
    """"native" (pandas, partition after partition in this process) for local; for spark a SparkSession at
    `cfg.master` with `cfg.conf`, whose Python workers run this interpreter (so they see the venv's packages)."""
    if cfg.name == "local":
        return "native"
    _check_master(cfg.master)
    try:
        import pyspark  # noqa: F401  (a hidden or absent pyspark fails here, not on a cached submodule)
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("engine.name is 'spark' but pyspark is not installed: install the spark extra: "
                          "pip install -e .[spark]") from None
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    if cfg.master.startswith("local"):  # one machine: no warning that the host name resolves to loopback
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(cfg.master).appName("skulab")
    quiet = f"-Dlog4j2.configurationFile={QUIET_LOG.as_uri()} -Xlog:disable -Xlog:all=error:stderr"
    java = " ".join([quiet, str(cfg.conf.get("spark.driver.extraJavaOptions", ""))]).strip()
    for key, value in {**DEFAULT_CONF, **cfg.conf, "spark.driver.extraJavaOptions": java}.items():
        builder = builder.config(key, str(value).lower() if isinstance(value, bool) else str(value))
    try:
        session = builder.getOrCreate()
    except RuntimeError as exc:  # no Java, or the JVM would not start
        raise ConfigError(f"engine {cfg.master}: Spark did not start ({' '.join(str(exc).split())[:200]}): "
                          "check that Java 17 is installed (java -version) and JAVA_HOME") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def schema(columns: Mapping[str, str]) -> str:
    """A Fugue schema string from column name -> Fugue type ('str', 'long', 'double', 'bool', 'datetime')."""
    return ",".join(f"{name}:{kind}" for name, kind in columns.items())


def collected(df: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """A partition function's collected result with one set of dtypes whichever runner ran it (a runner may return
    nullable or arrow-backed types): text as object with NaN for missing, long as int64, double as float64 with
    NaN, bool as bool (missing as False), datetime as naive datetime64[ns]."""
    out = df.copy()
    for name, kind in columns.items():
        if kind == "str":
            out[name] = out[name].astype(object).where(out[name].notna(), np.nan)
        elif kind == "long":
            out[name] = out[name].astype("int64")
        elif kind == "double":
            out[name] = out[name].to_numpy(dtype="float64", na_value=np.nan)
        elif kind == "bool":
            out[name] = out[name].astype("boolean").fillna(False).astype(bool)
        elif kind == "datetime":
            out[name] = pd.to_datetime(out[name]).astype("datetime64[ns]")
    return out


def _check_master(master: str) -> None:
    """A cluster master must accept a TCP connection within MASTER_TIMEOUT (else building a session hangs)."""
    if master.startswith("spark://"):
        addresses = [_host_port(a, SPARK_PORT) for a in master.removeprefix("spark://").split(",")]
    elif master.startswith("k8s://"):
        url = urlparse(master.removeprefix("k8s://"))
        addresses = [(url.hostname or "", url.port or (80 if url.scheme == "http" else 443))]
    else:
        return
    reasons = []
    for host, port in addresses:
        try:
            socket.create_connection((host, port), timeout=MASTER_TIMEOUT).close()
            return
        except OSError as exc:
            reasons.append(f"{host}:{port} {exc.strerror or exc}")
    raise ConfigError(f"engine.master {master}: no Spark master answers within {MASTER_TIMEOUT:g} s "
                      f"({'; '.join(reasons)}): start the master or fix engine.master (local[2] runs on this machine)")


def _host_port(address: str, default: int) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    return (host, int(port)) if sep else (address, default)
