"""Bad input of every kind (params, command line, files, adapters, databases): one line, exit 2, nothing written.

Each case runs the real entry point `skulab.cli.main` in this process, on a throw-away project root
(SKULAB_ROOT, also the working directory), and checks: exit status 2, exactly one stderr line starting
`error: `, no traceback, the key words of the message, nothing on stdout, and no file under the project
created or changed. docs/errors.md lists every kind; `test_every_kind_is_documented` keeps the two in step.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from skulab import cli
from skulab.data import files
from skulab.erp.connect import CONNECT_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
CI = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
SERVERS = {"mysql": "SKULAB_TEST_MYSQL_URL", "postgres": "SKULAB_TEST_POSTGRES_URL"}
JOBS = {"forecast": ["forecast"], "assort": ["assort"], "evaluate": ["evaluate", "assortment"], "embed": ["embed"],
        "backtest": ["backtest"], "allocate": ["allocate"], "trends": ["trends"]}


@dataclass
class Project:
    """The throw-away project a case runs in: its root, the small canonical tables, placeholders, clean-ups."""

    root: Path
    tables: dict[str, pd.DataFrame]
    vars: dict[str, str] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def profile(self, name: str, text: str | None = None, **sections: dict) -> None:
        """params/<name>.yaml: the ci profile with some sections changed (None drops a key), or raw text."""
        if text is None:
            raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in CI.items()} | {"profile": name}
            for section, changes in sections.items():
                merged = {**raw.get(section, {}), **changes}
                raw[section] = {k: v for k, v in merged.items() if v is not None}
            text = yaml.safe_dump(raw)
        (self.root / "params" / f"{name}.yaml").write_text(text)

    def files(self, edit: Callable[[Path], None] | None = None) -> None:
        """A bring-your-own-files folder files/ with the small tables as CSV, then `edit(folder)`; profile own."""
        files.write(self.tables, self.root / "files")
        if edit:
            edit(self.root / "files")
        self.profile("own", data={"source": "files", "path": "files", "seed": None, "scale": None, "start": None,
                                  "days": None})


@dataclass(frozen=True)
class Case:
    kind: str
    argv: tuple[str, ...]  # placeholders: {root}, {db} (a DuckDB file never built), {server}, Project.vars
    words: tuple[str, ...]  # key words of the message (placeholders too)
    setup: Callable[[Project], None] | None = None
    server: str | None = None  # "mysql" / "postgres": {server} is that test server's URL; skipped when unset
    absent: tuple[str, ...] = ()  # words the message must not show (e.g. a password)
    variant: str = ""
    slow: bool = False

    @property
    def id(self) -> str:
        return f"{self.kind}[{self.variant}]" if self.variant else self.kind


def _edit_csv(table: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        f = folder / f"{table}.csv"
        edit(pd.read_csv(f, dtype=str, keep_default_na=False)).to_csv(f, index=False)
    return run


def _set(table: str, row: int, col: str, value: str) -> Callable[[Path], None]:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[row, col] = value
        return df
    return _edit_csv(table, edit)


def _files_case(kind: str, edit: Callable[[Path], None] | None, *words: str, variant: str = "") -> Case:
    return Case(kind, ("erp", "build", "--params", "params/own.yaml", "--db", "{db}"), words,
                lambda p: p.files(edit), variant=variant)


def _sql_source(p: Project, url: str | None, queries: str | None, keep_source: bool) -> None:
    """The small tables in the DuckDB file source.duckdb, one `SELECT * FROM <table>` each in queries/; profile
    own_sql reads them through the sql source."""
    if keep_source:
        con = duckdb.connect(str(p.root / "source.duckdb"))
        for name, df in p.tables.items():
            con.register("frame", df)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        con.close()
    (p.root / "queries").mkdir()
    for name in p.tables:
        (p.root / "queries" / f"{name}.sql").write_text(f"SELECT * FROM {name}\n")
    data = {"source": "sql", "url": url, "queries": queries, "seed": None, "scale": None, "start": None, "days": None}
    p.profile("own_sql", data=data)


def _query(table: str, text: str) -> Callable[[Path], None]:
    """Replace the query of `table` (writing it when the source had none)."""
    return lambda folder: (folder / f"{table}.sql").write_text(text)


def _sql_case(kind: str, edit: Callable[[Path], None] | None, *words: str, variant: str = "",
              url: str | None = "duckdb:///source.duckdb", queries: str | None = "queries", keep_source: bool = True,
              db: str = "{db}") -> Case:
    def setup(p: Project) -> None:
        _sql_source(p, url, queries, keep_source)
        if edit:
            edit(p.root / "queries")
    return Case(kind, ("erp", "build", "--params", "params/own_sql.yaml", "--db", db), words, setup, variant=variant)


def _write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        target = folder / name
        target.write_bytes(data if isinstance(data, bytes) else data.encode())
    return run


def _parquet(table: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    """<table>.csv replaced by <table>.parquet holding edit(its rows as text), e.g. with a column of numbers."""
    def run(folder: Path) -> None:
        f = folder / f"{table}.csv"
        rows = pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""])
        edit(rows).to_parquet(f.with_suffix(".parquet"), index=False)
        f.unlink()
    return run


# a local fair at store S2 (and none at S1) on 2024-01-01 .. 2024-01-05: planned, but not through the horizon
_COVARIATE = "name,date,scope,value,known_in_advance\n" + "".join(
    f"fair,2024-01-0{d},{scope},{int(scope == 'store:S2' and d == 2)},true\n" for d in range(1, 6)
    for scope in ("store:S1", "store:S2"))


def _covariate_erp(p: Project) -> None:
    """The own files with covariate.csv built into the ERP {db}."""
    p.files(_write("covariate.csv", _COVARIATE))
    assert cli.main(["erp", "build", "--params", "params/own.yaml", "--db", p.vars["db"]]) == 0


def _built_then(p: Project, edit: Callable[[Path], None]) -> None:
    """The own files built into the ERP {db} (as a user's earlier run left it), then the files edited."""
    p.files()
    assert cli.main(["erp", "build", "--params", "params/own.yaml", "--db", p.vars["db"]]) == 0
    edit(p.root / "files")


def _both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        for e in edits:
            e(folder)
    return run


def _retail_ii(columns_dropped: tuple[str, ...] = ()) -> pd.DataFrame:
    """A few Online Retail II order lines, under that data set's column names."""
    df = pd.DataFrame({
        "Invoice": ["489434", "489434", "489435", "C489436"], "StockCode": ["85048", "79323P", "85048", "85048"],
        "Description": ["LED CUBE", "PINK CHERRY LIGHTS", "LED CUBE", "LED CUBE"], "Quantity": [12, 12, 4, -1],
        "InvoiceDate": pd.to_datetime(["2009-12-01 07:45", "2009-12-01 07:45", "2009-12-02 09:00",
                                       "2009-12-03 10:00"]),
        "Price": [6.95, 6.75, 6.95, 6.95], "Customer ID": [13085.0, 13085.0, np.nan, 13085.0],
        "Country": ["United Kingdom"] * 4,
    })
    return df.drop(columns=list(columns_dropped))


def _retail(setup: Callable[[Path], None]) -> Callable[[Project], None]:
    def run(p: Project) -> None:
        folder = p.root / "retail"
        folder.mkdir()
        setup(folder)
        p.profile("retail", data={"source": "online_retail", "path": "retail",
                                  "seed": None, "scale": None, "start": None, "days": None})
    return run


def _frat_files(folder: Path, drop: tuple[str, str] | None = None, missing: str | None = None) -> None:
    """The three Breakfast at the Frat files, tiny; optionally without a column or a file."""
    frames = {
        "transactions.parquet": pd.DataFrame({
            "week_end_date": pd.to_datetime(["2009-01-14", "2009-01-21"]), "store_id": ["1", "1"],
            "upc_id": ["10", "10"], "units": [3.0, 4.0], "price": [1.0, 0.8], "base_price": [1.0, 1.0],
            "feature": [0.0, 1.0], "display": [0.0, 0.0], "tpr_only": [0.0, 0.0]}),
        "products.csv": pd.DataFrame({"upc_id": ["10"], "description": ["PRETZELS"], "manufacturer": ["M"],
                                      "category": ["BAG SNACKS"], "sub_category": ["PRETZELS"],
                                      "product_size": ["16 OZ"]}),
        "stores.csv": pd.DataFrame({"store_id": ["1"], "store_name": ["A"], "address_city_name": ["X"],
                                    "address_state_prov_code": ["OH"], "msa_code": ["17140"],
                                    "seg_value_name": ["VALUE"], "sales_area_size_num": ["1000"]}),
    }
    for name, df in frames.items():
        if name == missing:
            continue
        if drop and drop[0] == name:
            df = df.drop(columns=drop[1])
        df.to_parquet(folder / name) if name.endswith(".parquet") else df.to_csv(folder / name, index=False)


def _frat(**kw: object) -> Callable[[Project], None]:
    def run(p: Project) -> None:
        (p.root / "frat").mkdir()
        _frat_files(p.root / "frat", **kw)
        p.profile("frat", data={"source": "frat", "path": "frat", "seed": None, "scale": None, "start": None,
                                "days": None})
    return run


def _groceries(text: str | None) -> Callable[[Project], None]:
    """A groceries.csv of `text` (None: no file) in its own folder, and a profile reading it."""
    def run(p: Project) -> None:
        (p.root / "groceries").mkdir()
        if text is not None:
            (p.root / "groceries" / "groceries.csv").write_text(text)
        p.profile("groceries", data={"source": "groceries", "path": "groceries", "seed": None, "scale": None,
                                     "start": None, "days": None})
    return run


HOLDER = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(120)"


def _hold_lock(p: Project) -> None:
    """A second process that opens the DuckDB file erp.duckdb for writing and keeps it open."""
    db = p.root / "erp.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    p.vars["pid"] = str(holder.pid)
    p.cleanups.append(lambda: (holder.kill(), holder.wait()))
    p.files()


def _silent_server(p: Project) -> None:
    """A port that accepts TCP connections and never answers (a hung or firewalled database server)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    p.vars["port"] = str(s.getsockname()[1])
    p.cleanups.append(s.close)


def _hide_pyspark(p: Project) -> None:
    """This process as if the spark extra were not installed (`import pyspark` fails), until the case ends."""
    before = sys.modules.get("pyspark")
    sys.modules["pyspark"] = None  # type: ignore[assignment]
    p.cleanups.append(lambda: sys.modules.__setitem__("pyspark", before) if before else sys.modules.pop("pyspark"))


def _free_port(p: Project) -> None:
    """A port on this machine where nothing listens (a Spark master that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        p.vars["port"] = str(s.getsockname()[1])


def _empty_duckdb(name: str) -> Callable[[Project], None]:
    def run(p: Project) -> None:
        duckdb.connect(str(p.root / name)).close()
        p.files()
    return run


def _forecast_erp(stock: str | None = None, store: str = "S1", forecast: bool = True) -> Callable[[Project], None]:
    """The small tables built into erp.duckdb with a one-week forecast run, and a stock file stock.csv."""
    def run(p: Project) -> None:
        from skulab import erp

        engine = erp.make_engine(p.vars["db"])
        erp.replace_tables(engine, p.tables)
        if forecast:
            rows = pd.DataFrame({"sku_id": "A-S", "store_id": store, "model": "WeightedEnsemble", "mean": 2.0,
                                 "q10": 0.0, "q50": 2.0, "q90": 5.0,
                                 "forecast_date": pd.date_range("2024-01-08", periods=7)})
            erp.write_run(engine, "forecast", "f1", rows, profile="ci", params={})
        engine.dispose()
        if stock is not None:
            (p.root / "stock.csv").write_text(stock)
    return run


def _store_in_no_region(p: Project) -> None:
    """The small tables built into erp.duckdb with store S2 in no region."""
    from skulab import erp

    engine = erp.make_engine(p.vars["db"])
    erp.replace_tables(engine, {**p.tables, "dim_store": p.tables["dim_store"].assign(region=["East", None])})
    engine.dispose()


def _ci_erp(p: Project) -> None:
    """The ci demo chain (half a year of daily sales) built into the ERP {db}."""
    assert cli.main(["erp", "build", "--params", "params/ci.yaml", "--db", p.vars["db"]]) == 0


def _raw_profile(name: str, data: bytes) -> Callable[[Project], None]:
    def run(p: Project) -> None:
        (p.root / "params" / f"{name}.yaml").write_bytes(data)
    return run


ALLOCATE = ("allocate", "--params", "params/ci.yaml", "--db", "{db}")
BACKTEST = ("backtest", "--params", "params/ci.yaml", "--db", "{db}")
ERP = ("erp", "build", "--params")
CASES = [
    # params profiles
    Case("params-not-found", ("forecast", "--params", "params/nope.yaml"),
         ("params/nope.yaml: params file not found", "ci.yaml")),
    Case("params-bad-yaml", (*ERP, "params/bad.yaml", "--db", "{db}"), ("bad.yaml: not valid YAML",),
         lambda p: p.profile("bad", "profile: bad\ndata: {source: demo\n")),
    Case("params-not-a-mapping", (*ERP, "params/bad.yaml", "--db", "{db}"), ("a profile is a mapping", "list"),
         lambda p: p.profile("bad", "- demo\n- ci\n")),
    Case("params-unknown-key", (*ERP, "params/bad.yaml", "--db", "{db}"),
         ("data.scael is not a known key", "did you mean 'scale'?"), lambda p: p.profile("bad", data={"scael": 2})),
    Case("params-unknown-section", ("assort", "--params", "params/bad.yaml", "--db", "{db}"),
         ("forcast is not a known key", "did you mean 'forecast'?"), lambda p: p.profile("bad", forcast={"horizon": 3})),
    Case("params-wrong-type", ("forecast", "--params", "params/bad.yaml", "--db", "{db}"),
         ("forecast.horizon", "valid integer", "'seven'"), lambda p: p.profile("bad", forecast={"horizon": "seven"})),
    Case("params-out-of-range", ("forecast", "--params", "params/bad.yaml", "--db", "{db}"),
         ("forecast.horizon", "greater than or equal to 1"), lambda p: p.profile("bad", forecast={"horizon": 0})),
    Case("params-missing-required", (*ERP, "params/bad.yaml", "--db", "{db}"), ("data.source is required",),
         lambda p: p.profile("bad", "profile: bad\ndata: {seed: 1}\n")),
    Case("params-unknown-source", (*ERP, "params/bad.yaml", "--db", "{db}"),
         ("data.source", "'demo', 'online_retail', 'frat', 'groceries', 'files' or 'sql'", "'mysql'"),
         lambda p: p.profile("bad", data={"source": "mysql"})),
    Case("params-unknown-model", ("forecast", "--params", "params/bad.yaml", "--db", "{db}"),
         ("unknown model(s) DeepARR", "did you mean 'DeepAR'"),
         lambda p: p.profile("bad", forecast={"models": ["ETS", "DeepARR"]})),
    Case("params-unknown-method", ("assort", "--params", "params/bad.yaml", "--db", "{db}"),
         ("assort.methods.0", "'popular'"), lambda p: p.profile("bad", assort={"methods": ["popular"]})),
    Case("params-bad-freq", ("forecast", "--params", "params/bad.yaml", "--db", "{db}"),
         ("forecast.freq", "W-<day>", "'M'"), lambda p: p.profile("bad", forecast={"freq": "M"})),
    Case("params-bad-quantiles", ("forecast", "--params", "params/bad.yaml", "--db", "{db}"),
         ("forecast.quantiles", "include 0.1, 0.5 and 0.9"), lambda p: p.profile("bad", forecast={"quantiles": [0.5]})),
    Case("params-rule-mismatch", ("assort", "--params", "params/bad.yaml", "--db", "{db}"),
         ("'rule80' disagrees with rule_fill 0.7", "write 'rule70' or 'rule'"),
         lambda p: p.profile("bad", assort={"k": [20, "rule80"]})),
    Case("params-guard-itself", ("assort", "--params", "params/bad.yaml", "--db", "{db}"),
         ("assort.guard_candidates", "cannot be its own candidate"),
         lambda p: p.profile("bad", assort={"guard_candidates": ["net", "guarded"]})),
    Case("params-calibration-one-window", ("backtest", "--params", "params/bad.yaml", "--db", "{db}"),
         ("forecast.conformal", "needs val_windows of 2 or more"),
         lambda p: p.profile("bad", forecast={"conformal": True, "val_windows": 1})),
    Case("params-password-in-url", ("forecast", "--params", "params/bad.yaml"),
         ("erp.url", "holds a password", "SKULAB_DB_URL"),
         lambda p: p.profile("bad", erp={"url": "mysql+pymysql://erp:s3cret@db.example/erp"}), absent=("s3cret",)),
    Case("params-no-data-path", (*ERP, "params/bad.yaml", "--db", "{db}"),
         ("data.path is required for source 'files'",), lambda p: p.profile("bad", data={"source": "files"})),
    Case("params-unknown-engine", ("evaluate", "assortment", "--params", "params/bad.yaml", "--db", "{db}"),
         ("engine.name", "(got 'sparkk'; did you mean 'spark'?)"), lambda p: p.profile("bad", engine={"name": "sparkk"})),
    # params and flags (issue 21)
    Case("params-not-utf8", (*ERP, "params/bad.yaml", "--db", "{db}"),
         ("bad.yaml: not UTF-8 (byte 0xe9 at line 3)", "save the file as UTF-8"),
         _raw_profile("bad", "profile: bad\ndata: {source: demo}\n# caf\xe9\n".encode("latin-1"))),
    Case("params-duplicate-key", (*ERP, "params/bad.yaml", "--db", "{db}"),
         ("bad.yaml: key 'horizon' is given twice in one mapping (lines 4 and 6", "keep one of them"),
         _raw_profile("bad", b"profile: bad\ndata: {source: demo}\nforecast:\n  horizon: 7\n  windows: 2\n  horizon: 14\n")),
    Case("params-boolean-number", (*ERP, "params/bad.yaml", "--db", "{db}"),
         ("forecast.horizon: expected a number, got a YAML boolean", "write the number", "(got True)"),
         _raw_profile("bad", b"profile: bad\ndata: {source: demo}\nforecast: {horizon: yes}\n")),
    *[Case("params-not-finite", (*ERP, "params/bad.yaml", "--db", "{db}"),
           ("data.scale: must be a finite number", "write a number", f"(got {value})"),
           _raw_profile("bad", f"profile: bad\ndata: {{source: demo, scale: .{value}}}\n".encode()), variant=value)
      for value in ("inf", "nan")],
    *[Case("params-date-out-of-range", (*ERP, "params/bad.yaml", "--db", "{db}"),
           ("data.start: must lie between 1678-01-01 and 2261-12-31", f"(got {year}-01-02)"),
           _raw_profile("bad", f"profile: bad\ndata: {{source: demo, start: {year}-01-02}}\n".encode()), variant=year)
      for year in ("1500", "2500")],
    *[Case("params-unsafe-profile", (*ERP, "params/bad.yaml", "--db", "{db}"),
           ("profile: must be letters, digits, '_' or '-' only", "data/<profile>.duckdb", f"(got '{name}')"),
           lambda p, name=name: p.profile("bad", yaml.safe_dump({**CI, "profile": name})), variant=variant)
      for variant, name in (("parent", "../x"), ("slash", "a/b"), ("absolute", "/tmp/x"))],
    Case("params-is-a-folder", (*ERP, "params", "--db", "{db}"),
         ("params: is a folder, not a params file", "such as params/ci.yaml")),
    # the command line
    Case("cli-unknown-command", ("forcast", "--params", "params/ci.yaml"), ("invalid choice: 'forcast'",)),
    Case("cli-missing-params", ("forecast",), ("skulab forecast", "required: --params", "--help")),
    Case("cli-set-unknown-key", ("backtest", "--params", "params/ci.yaml", "--db", "{db}", "--set", "horizn=3"),
         ("forecast.horizn is not a known key", "did you mean 'horizon'?")),
    Case("cli-set-without-equals", ("backtest", "--params", "params/ci.yaml", "--db", "{db}", "--set", "horizon"),
         ("--set takes key=value", "'horizon'")),
    Case("cli-set-bad-value", ("backtest", "--params", "params/ci.yaml", "--db", "{db}", "--set", "features=[raw"),
         ("--set features", "is not a YAML value")),
    Case("cli-set-invalid-value", ("backtest", "--params", "params/ci.yaml", "--db", "{db}", "--set", "impute=mean"),
         ("forecast.impute", "'seasonal'", "'mean'")),
    Case("cli-bad-integer", ("evaluate", "assortment", "--params", "params/ci.yaml", "--db", "{db}",
                             "--max-folds", "two"), ("--max-folds: expected a whole number of at least 1, got 'two'",)),
    Case("cli-bad-list", ("evaluate", "assortment", "--params", "params/ci.yaml", "--db", "{db}", "--windows", "2,x"),
         ("--windows", "comma-separated positive integers", "'2,x'")),
    Case("cli-bad-bench-sizes", ("bench", "forecast", "--params", "params/ci.yaml", "--sizes", "100,1k"),
         ("--sizes", "comma-separated positive integers", "'100,1k'")),
    Case("cli-bad-date", ("embed", "--params", "params/ci.yaml", "--db", "{db}", "--test-end", "2024-13-01"),
         ("--test-end", "expected a date YYYY-MM-DD", "'2024-13-01'")),
    Case("cli-unknown-method", ("evaluate", "assortment", "--params", "params/ci.yaml", "--db", "{db}",
                                "--methods", "popularity,popular"), ("assort.methods.1", "'popular'")),
    Case("cli-unknown-notebook", ("report", "--params", "params/ci.yaml", "--only", "01,99"),
         ("--only 99", "no notebook", "01_eda", "--only 01,03")),
    # params and flags (issue 21)
    Case("cli-negative-skip", (*BACKTEST, "--skip", "-1"), ("argument --skip", "at least 0, got '-1'")),
    Case("cli-too-many-windows", (*BACKTEST, "--set", "windows=1000"),
         ("forecast.windows 1000 with skip 0", "the ERP holds 182 (2023-01-02 .. 2023-07-02)", "at most 23 windows of 7",
          "23 or fewer"), _ci_erp, variant="windows"),
    Case("cli-too-many-windows", (*BACKTEST, "--skip", "22"), ("forecast.windows 2 with skip 22", "at most 23 windows"),
         _ci_erp, variant="skip"),
    Case("cli-out-folder-missing", (*BACKTEST, "--out", "nowhere/scores.csv"),
         ("argument --out: folder 'nowhere' of 'nowhere/scores.csv' does not exist", "create it first"), _ci_erp),
    Case("cli-out-folder-missing", (*BACKTEST, "--out", "params"),
         ("argument --out: expected a file name, got the folder 'params'",), variant="a-folder"),
    Case("cli-not-positive", ("evaluate", "assortment", "--params", "params/ci.yaml", "--db", "{db}", "--max-folds", "0"),
         ("argument --max-folds: expected a whole number of at least 1, got '0'",)),
    *[Case("cli-bad-run-id", ("forecast", "--params", "params/ci.yaml", "--db", "{db}", "--run-id", run_id),
           ("argument --run-id: expected at most 64 letters, digits", f"({len(run_id)} characters)"), variant=variant)
      for variant, run_id in (("too-long", "r" * 100), ("slash", "a/b"))],
    *[Case("cli-bad-stock-level", (*ALLOCATE, "--stock-level", value),
           ("argument --stock-level: expected a number above 0 and at most 100", f"got '{value}'"), variant=value)
      for value in ("inf", "nan", "-0.5", "1000")],
    # bring-your-own files (data.source: files)
    Case("files-missing-folder", (*ERP, "params/own.yaml", "--db", "{db}"),
         ("nowhere: data folder for source 'files' not found", "set data.path"),
         lambda p: p.profile("own", data={"source": "files", "path": "nowhere"})),
    Case("files-not-a-directory", (*ERP, "params/own.yaml", "--db", "{db}"), ("notes.txt: not a directory",),
         lambda p: ((p.root / "notes.txt").write_text("x"), p.profile("own", data={"source": "files",
                                                                                  "path": "notes.txt"}))),
    _files_case("files-unknown-sku", _set("order_line", 3, "sku_id", "ZZ"),
                "order_line.csv (order_line)", "sku_id not in dim_sku", "'ZZ'", "row 4", "docs/data_format.md"),
    _files_case("files-covariate-scope", _write("covariate.csv", _COVARIATE.replace("store:S2", "store:S9")),
                "covariate.csv (covariate): 5 scope(s) name a store not in dim_store.store_id", "'store:S9'"),
    _files_case("files-covariate-scope", _write("covariate.csv", _COVARIATE.replace("store:S2", "region:East")),
                "covariate 'fair' mixes scopes region, store", variant="mixed-kinds"),
    _files_case("files-covariate-scope", _write("covariate.csv", _COVARIATE.replace("store:S2", "shop S2")),
                "5 scope(s) skulab cannot read", "'shop S2'", variant="unreadable"),
    Case("covariate-missing-future", ("forecast", "--params", "params/own.yaml", "--db", "{db}"),
         ("covariate 'fair' is known in advance but has no value for store S1 x SKU A-S on 2024-01-06",
          "after the last sales period 2024-01-03", "or set its known_in_advance to false"),
         _covariate_erp),
    _files_case("files-unknown-store", _set("fact_sales", 0, "store_id", "S9"),
                "fact_sales.csv (fact_sales)", "store_id not in dim_store", "'S9'"),
    _files_case("files-duplicate-key", _set("fact_sales", 1, "date", "2024-01-01"),
                "duplicate key(s) on (date, store_id, sku_id)", "row 2"),
    _files_case("files-negative-qty", _set("order_line", 2, "qty", "-1"), "qty value(s) not positive", "row 3"),
    _files_case("files-negative-units", _set("fact_sales", 0, "units", "-4"), "units value(s) not non-negative"),
    _files_case("files-missing-value", _set("order_line", 0, "qty", ""), "missing value(s) in required column qty"),
    _files_case("files-missing-column", _edit_csv("fact_sales", lambda df: df.drop(columns="units")),
                "fact_sales.csv (fact_sales): missing column(s) units"),
    _files_case("files-unknown-column", _edit_csv("fact_sales", lambda df: df.rename(columns={"price": "prcie"})),
                "unknown column 'prcie'", "did you mean price?"),
    _files_case("files-unparsable-value", _set("fact_sales", 1, "date", "2024-02-30"),
                "unparsable date value(s) in date", "'2024-02-30'"),
    _files_case("files-malformed-csv", _write("dim_fdc.csv", "fdc_id,name,region\nF1,East FDC,East,extra\n"),
                "dim_fdc.csv: malformed CSV", "line 2 has 4"),
    _files_case("files-not-utf8", _write("dim_store.csv", "store_id,region,fdc_id\nS1,\xe9ast,F1\nS2,E,F1\n"
                                         .encode("latin-1")), "dim_store.csv: not UTF-8", "save it as UTF-8 CSV"),
    _files_case("files-not-parquet", _both(lambda f: (f / "dim_fdc.csv").unlink(),
                                           _write("dim_fdc.parquet", "fdc_id,name\nF1,East\n")),
                "dim_fdc.parquet: cannot read as parquet"),
    _files_case("files-unknown-table", lambda f: (f / "order_line.csv").rename(f / "order_lines.csv"),
                "unknown table 'order_lines'", "did you mean order_line?"),
    _files_case("files-required-tables", lambda f: [x.unlink() for x in f.iterdir() if x.stem != "dim_sku"],
                "fact_sales, or orders together with order_line, is required"),
    _files_case("files-not-a-file", _both(lambda f: (f / "fact_sales.csv").unlink(),
                                          lambda f: (f / "fact_sales.csv").mkdir()),
                "fact_sales.csv: is a folder, not a table file", "give fact_sales as a regular csv file"),
    _files_case("files-not-a-file", _both(lambda f: (f / "fact_sales.csv").unlink(),
                                          lambda f: (f / "fact_sales.csv").symlink_to(f / "gone.csv")),
                "fact_sales.csv: is a link to nothing", "or remove the entry"),
    Case("erp-would-empty-table", ("erp", "build", "--params", "params/own.yaml", "--db", "{db}"),
         ("holds fact_sales (", "rows) but the source gives no rows for it", "nothing was changed",
          "--allow-empty fact_sales"), lambda p: _built_then(p, _edit_csv("fact_sales", lambda df: df.iloc[:0])),
         variant="header-only"),
    Case("erp-would-empty-table", ("erp", "build", "--params", "params/own.yaml", "--db", "{db}"),
         ("orders (", "order_line (", "but the source gives no rows for them", "--allow-empty "),
         lambda p: _built_then(p, _both(lambda f: (f / "orders.csv").unlink(), lambda f: (f / "order_line.csv").unlink())),
         variant="files-removed"),
    Case("cli-bad-table", ("erp", "build", "--params", "params/ci.yaml", "--allow-empty", "fact_sale"),
         ("argument --allow-empty", "did you mean 'fact_sales'?"), variant="unknown-table"),
    _files_case("files-calendar-gap", _edit_csv("dim_calendar", lambda df: df[df["date"] != "2024-01-02"]),
                "dim_calendar.csv (dim_calendar): 1 date(s)", "missing: 2024-01-02"),
    # data values (issue 21)
    _files_case("files-timezone", _edit_csv("orders", lambda df: df.assign(ts=df["ts"] + "+02:00")),
                "orders.csv (orders): 3 time-zone-aware timestamp value(s) in ts at rows 1, 2, 3",
                "'2024-01-01 09:30:00+02:00'", "set data.timezone"),
    _files_case("files-mixed-timezone", _set("orders", 1, "ts", "2024-01-02 20:05:00Z"),
                "orders.csv (orders): 1 time-zone-aware timestamp value(s) in ts at row 2", "row 1:",
                "mixes zoned and local times"),
    _files_case("files-time-in-date", _set("fact_sales", 2, "date", "2024-01-03 13:00"),
                "fact_sales.csv (fact_sales): 1 date value(s) with a time of day in date at row 3", "write YYYY-MM-DD"),
    _files_case("files-numeric-date",
                _parquet("fact_sales", lambda df: df.assign(date=df["date"].str.replace("-", "").astype("int64"))),
                "fact_sales.parquet (fact_sales): 5 numeric date value(s) in date at rows 1, 2, 3 and 2 more",
                "(e.g. 20240101,", "as a date type or as YYYY-MM-DD text"),
    _files_case("files-float-id", _parquet("orders", lambda df: df.assign(customer_id=[1.0, 2.5, 1.0])),
                "orders.parquet (orders): 1 non-integral or non-finite float id value(s) in customer_id at row 2",
                "(e.g. 2.5)", "store ids as text"),
    _files_case("files-non-finite", _both(_set("fact_sales", 1, "units", "inf"), _set("fact_sales", 3, "price", "NaN")),
                "fact_sales.csv (fact_sales): 1 non-finite value(s) in units at row 2 (e.g. 'inf')",
                "1 non-finite value(s) in price at row 4 (e.g. 'NaN')", "write a finite number"),
    _files_case("files-out-of-range", _both(_set("dim_calendar", 0, "year", "3000000000"),
                                            _set("fact_sales", 0, "price", "1e400")),
                "dim_calendar.csv (dim_calendar): 1 out-of-range int value(s) in year at row 1",
                "-2147483648 .. 2147483647", "fact_sales.csv (fact_sales): 1 out-of-range float value(s) in price"),
    _files_case("files-nul-byte", _set("dim_sku", 1, "name", "Shirt\x00M"),
                "dim_sku.csv (dim_sku): NUL byte (\\x00) in column name at row 2", "PostgreSQL cannot store it"),
    _files_case("files-nul-byte", _parquet("dim_sku", lambda df: df.assign(name=["Shirt S", "Shirt\x00M", "Cap"])),
                "dim_sku.parquet (dim_sku): 1 value(s) with a NUL byte (\\x00) in name at row 2", "'Shirt\\x00M'"),
    _files_case("files-bad-calendar", _set("dim_calendar", 1, "weekday", "9"),
                "dim_calendar.csv (dim_calendar): 1 weekday value(s) that disagree with the date at row 2",
                "2024-01-02 has 9, the date gives 1", "leave dim_calendar out"),
    _files_case("files-bad-calendar", _set("dim_calendar", 2, "weekday", "7.5"),
                "dim_calendar.csv (dim_calendar): 1 int value(s) not whole in weekday at row 3"),
    _files_case("files-promotion-dates", _write("promotion.csv", "promo_id,promo_type,start_date,end_date\n"
                                                "P1,pct_off,2024-01-01,2024-01-02\nP2,pct_off,2024-01-03,2024-01-01\n"),
                "promotion.csv (promotion): 1 promotion(s) ending before they start at row 2",
                "promo_id P2: 2024-01-03 .. 2024-01-01"),
    _files_case("files-promotion-scope", _write("promotion.csv", "promo_id,promo_type,start_date,end_date,scope\n"
                                                "P1,pct_off,2024-01-01,2024-01-02,region:East/category:Tops\n"
                                                "P2,pct_off,2024-01-01,2024-01-02,aisle 3\n"),
                "promotion.csv (promotion): 1 scope(s) skulab cannot read at row 2 (e.g. 'aisle 3')",
                "or a place and an item joined by '/'"),
    _files_case("files-bad-discount", _both(_set("fact_sales", 2, "discount", "1.2"),
                                            _write("promotion.csv", "promo_id,promo_type,start_date,end_date,discount"
                                                   "\nP1,pct_off,2024-01-01,2024-01-02,20\n")),
                "fact_sales.csv (fact_sales): 1 discount value(s) not below 1 at row 3 (e.g. 1.2)",
                "promotion.csv (promotion): 1 discount value(s) not [0, 1) at row 1 (e.g. 20)", "0.2 for 20% off"),
    _files_case("files-far-date", _set("fact_sales", 4, "date", "1924-01-02"),
                "fact_sales.csv (fact_sales): 1 date value(s) more than 5 years away from the other sales dates at "
                "row 5 (e.g. 1924-01-02; the rest run 2024-01-01 .. 2024-01-03)", "a mistyped year?"),
    _files_case("files-date-out-of-range", _set("orders", 2, "ts", "2500-01-03 12:00:00"),
                "orders.csv (orders): 1 timestamp value(s) outside 1677-09-22 .. 2262-04-11 in ts at row 3",
                "fix the year"),
    _files_case("files-too-long", _set("orders", 0, "customer_id", "c" * 65),
                "orders.csv (orders): 1 value(s) longer than 64 characters in customer_id at row 1",
                "VARCHAR(64)"),
    _files_case("files-too-long", _set("dim_sku", 2, "name", "n" * 256),
                "dim_sku.csv (dim_sku): 1 value(s) longer than 255 characters in name at row 3", "VARCHAR(255)"),
    _files_case("files-id-spelling", _set("orders", 2, "customer_id", "C1"),
                "orders.csv (orders): customer_id 'c1' at row 1 and 'C1' at row 3 differ only in case",
                "MariaDB takes as one id", "spell each id one way"),
    _files_case("files-id-spelling", _both(_set("dim_sku", 1, "sku_id", "caf\u00e9"),
                                           _set("dim_sku", 2, "sku_id", "cafe\u0301")),
                "dim_sku.csv (dim_sku): sku_id 'caf\\xe9' at row 2 and 'cafe\\u0301' at row 3"),
    # your own ERP read by your queries (data.source: sql)
    _sql_case("sql-no-queries", None, "data.queries is required for source 'sql'", queries=None),
    _sql_case("sql-no-url", None, "data.url is required for source 'sql'", "SKULAB_SOURCE_URL", url=None),
    _sql_case("sql-source-missing", None, "source.duckdb: the source DuckDB file does not exist",
              url="duckdb:///source.duckdb", keep_source=False),
    _sql_case("sql-source-is-erp", None, "is both the source ERP (data.url) and skulab's ERP",
              "point --db", db="duckdb:///{root}/source.duckdb"),
    _sql_case("sql-not-a-select", _query("fact_sales", "-- clean up first\nDELETE FROM fact_sales"),
              "fact_sales.sql: starts with DELETE, not SELECT", "only reads"),
    _sql_case("sql-not-a-select", _query("fact_sales", "SELECT * FROM fact_sales; DROP TABLE fact_sales;"),
              "fact_sales.sql: holds more than one statement", variant="two-statements"),
    _sql_case("sql-query-failed", _query("dim_store", "SELECT * FROM shops"),
              "dim_store.sql: the query failed on duckdb:///", "shops", "fix the query"),
    _sql_case("sql-unknown-column", _query("fact_sales", "SELECT *, 1 AS prcie FROM fact_sales"),
              "fact_sales.sql: unknown column 'prcie' in fact_sales; did you mean price?"),
    _sql_case("sql-bad-value", _query("order_line", "SELECT order_id, sku_id, -qty AS qty, price FROM order_line"),
              "order_line.sql (order_line):", "qty value(s) not positive at row"),
    _sql_case("sql-unknown-table", _query("order_lines", "SELECT * FROM order_line"),
              "order_lines.sql: unknown table 'order_lines'; did you mean order_line?"),
    # the real-data adapters pointed at other files
    Case("retail-missing-column", ("erp", "build", "--params", "params/retail.yaml", "--db", "{db}"),
         ("online_retail.parquet: missing column(s) UnitPrice (or Price)", "has: Invoice", "Online Retail II"),
         _retail(lambda f: _retail_ii(("Price",)).to_parquet(f / "online_retail.parquet"))),
    Case("retail-not-found", ("erp", "build", "--params", "params/retail.yaml", "--db", "{db}"),
         ("online_retail.parquet: file not found", "set data.path"), _retail(lambda f: None)),
    Case("retail-not-parquet", ("erp", "build", "--params", "params/retail.yaml", "--db", "{db}"),
         ("online_retail.parquet: cannot read as parquet",),
         _retail(lambda f: (f / "online_retail.parquet").write_text("Invoice,StockCode\n1,2\n"))),
    Case("retail-wrong-format", ("erp", "build", "--params", "params/bad.yaml", "--db", "{db}"),
         ("online_retail_II.xlsx", "reads .parquet or .csv", "save the sheet as CSV"),
         lambda p: ((p.root / "online_retail_II.xlsx").write_bytes(b"PK\x03\x04"),
                    p.profile("bad", data={"source": "online_retail", "path": "online_retail_II.xlsx"}))),
    Case("frat-missing-column", ("erp", "build", "--params", "params/frat.yaml", "--db", "{db}"),
         ("products.csv: missing column(s) product_size", "has: upc_id", "Breakfast at the Frat"),
         _frat(drop=("products.csv", "product_size"))),
    Case("frat-missing-file", ("erp", "build", "--params", "params/frat.yaml", "--db", "{db}"),
         ("stores.csv: file not found", "Breakfast at the Frat"), _frat(missing="stores.csv")),
    Case("groceries-missing-column", ("erp", "build", "--params", "params/groceries.yaml", "--db", "{db}"),
         ("groceries.csv: missing column(s) itemDescription", "has: Member_number, Date, item"),
         _groceries("Member_number,Date,item\n1808,2015-07-21,whole milk\n")),
    Case("groceries-bad-date", ("erp", "build", "--params", "params/groceries.yaml", "--db", "{db}"),
         ("groceries.csv: 1 unparsable value(s) in column Date at row 1 (e.g. '21-07-2015')", "YYYY-MM-DD"),
         _groceries("Member_number,Date,itemDescription\n1808,21-07-2015,whole milk\n")),
    Case("groceries-not-found", ("erp", "build", "--params", "params/groceries.yaml", "--db", "{db}"),
         ("groceries.csv: file not found", "set data.path"), _groceries(None)),
    # store allocation
    Case("allocate-unknown-sku", (*ALLOCATE, "--stock", "stock.csv"),
         ("stock.csv: row 2 (sku_id 'ZZ'", "not a SKU of dim_sku", "fix the file"),
         _forecast_erp("sku_id,units\nA-S,4\nZZ,3\n")),
    Case("allocate-negative-stock", (*ALLOCATE, "--stock", "stock.csv"),
         ("stock.csv: row 1 (sku_id 'A-S', units '-4')", "units is negative"), _forecast_erp("sku_id,units\nA-S,-4\n")),
    Case("allocate-unknown-store", ALLOCATE, ("forecasts store_id 'East', which dim_store lacks", "forecast.level: store"),
         _forecast_erp(store="East")),
    Case("allocate-no-forecast", ALLOCATE, ("no finished forecast run", "run skulab forecast"),
         _forecast_erp(forecast=False)),
    # params and flags (issue 21)
    *[Case("allocate-stock-not-a-number", (*ALLOCATE, "--stock", "stock.csv"),
           (f"stock.csv: row 1 (sku_id 'A-S', units '{value}'): units is not a number",),
           _forecast_erp(f"sku_id,units\nA-S,{value}\n"), variant=value) for value in ("inf", "nan", "1e400")],
    Case("allocate-stock-not-whole", (*ALLOCATE, "--stock", "stock.csv"),
         ("row 1 (sku_id 'A-S', units '2.5'): units is not a whole number",), _forecast_erp("sku_id,units\nA-S,2.5\n")),
    Case("allocate-stock-too-large", (*ALLOCATE, "--stock", "stock.csv"),
         ("row 1 (sku_id 'A-S', units '2000000000'): units is above 1,000,000,000",),
         _forecast_erp("sku_id,units\nA-S,2000000000\n")),
    Case("allocate-stock-nul-byte", (*ALLOCATE, "--stock", "stock.csv"),
         ("stock.csv: line 2 holds a NUL byte", "save it as a UTF-8 CSV"), _forecast_erp("sku_id,units\nA-S,4\x00\n")),
    Case("allocate-stock-duplicate", (*ALLOCATE, "--stock", "stock.csv"),
         ("row 2 (sku_id 'A-S', units '4'): repeats a dc_id, sku_id of an earlier row",),
         _forecast_erp("sku_id,units\nA-S,4\nA-S,4\n")),
    Case("allocate-stock-unknown-column", (*ALLOCATE, "--stock", "stock.csv"),
         ("stock.csv: unknown column(s) store_id", "not a store's"), _forecast_erp("sku_id,store_id,units\nA-S,S1,4\n")),
    # regional trends
    Case("trends-store-in-no-region", ("trends", "--params", "params/ci.yaml", "--db", "{db}"),
         ("dim_store gives no region for store_id S2", "fill dim_store.region"), _store_in_no_region),
    # the engine
    Case("engine-no-pyspark", ("evaluate", "assortment", "--params", "params/ci.yaml", "--db", "{db}", "--engine", "spark"),
         ("pyspark is not installed", "install the spark extra: pip install -e .[spark]"), _hide_pyspark),
    Case("engine-no-master", ("evaluate", "assortment", "--params", "params/bad.yaml", "--db", "{db}", "--engine", "spark"),
         ("engine.master spark://127.0.0.1:{port}: no Spark master answers within", "start the master"),
         lambda p: (_free_port(p), p.profile("bad", engine={"master": "spark://127.0.0.1:{port}".format(**p.vars)}))),
    # databases
    Case("db-not-a-url", ("forecast", "--params", "params/ci.yaml", "--db", "::nonsense"),
         ("'::nonsense' is not a SQLAlchemy URL", "duckdb:///")),
    Case("db-unknown-dialect", ("forecast", "--params", "params/ci.yaml", "--db", "sqlite:///{root}/erp.db"),
         ("backend 'sqlite' is not supported", "duckdb, mysql, mariadb, postgresql")),
    Case("db-driver-missing", ("assort", "--params", "params/ci.yaml", "--db", "postgresql+asyncpg://u@h/erp"),
         ("driver 'postgresql+asyncpg' is not installed", "postgresql+psycopg://")),
    Case("db-unreachable", ("forecast", "--params", "params/ci.yaml", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/x"),
         ("cannot reach the database server of postgresql+psycopg://postgres@127.0.0.1:1/x", "Connection refused",
          "start the server"), variant="postgres"),
    Case("db-unreachable", ("embed", "--params", "params/ci.yaml", "--db", "mysql://root@127.0.0.1:1/x"),
         ("cannot reach the database server of mysql+pymysql://root@127.0.0.1:1/x", "Connection refused"),
         variant="mysql"),
    Case("db-no-answer", ("forecast", "--params", "params/ci.yaml", "--db", "postgresql://u@127.0.0.1:{port}/x"),
         ("no answer from the database server", f"within {CONNECT_TIMEOUT} s", "connect_timeout"), _silent_server,
         variant="postgres", slow=True),
    Case("db-no-answer", ("forecast", "--params", "params/ci.yaml", "--db", "mysql://u@127.0.0.1:{port}/x"),
         ("no answer from the database server", f"within {CONNECT_TIMEOUT} s"), _silent_server,
         variant="mysql", slow=True),
    Case("db-unknown-database", ("forecast", "--params", "params/ci.yaml", "--db", "{server_nodb}"),
         ("database 'skulab_no_such_db' does not exist", "CREATE DATABASE skulab_no_such_db"), server="postgres",
         variant="postgres"),
    Case("db-unknown-database", ("assort", "--params", "params/ci.yaml", "--db", "{server_nodb}"),
         ("database 'skulab_no_such_db' does not exist",), server="mysql", variant="mysql"),
    Case("db-login-refused", ("forecast", "--params", "params/ci.yaml", "--db", "{server_nobody}"),
         ("refused the login", "skulab_nobody", "check user and password"), server="postgres", variant="postgres"),
    Case("db-login-refused", ("forecast", "--params", "params/ci.yaml", "--db", "{server_nobody}"),
         ("refused the login", "skulab_nobody"), server="mysql", variant="mysql"),
    *[Case("db-never-built", (*JOBS[job], "--params", "params/ci.yaml", "--db", "{db}"),
           ("no ERP tables in duckdb:///{root}/erp.duckdb (the file does not exist)",
            "run skulab erp build --params params/ci.yaml --db duckdb:///{root}/erp.duckdb"), variant=job)
      for job in JOBS],
    # params and flags (issue 21)
    Case("db-empty-url", ("forecast", "--params", "params/ci.yaml", "--db", ""), ("argument --db: is empty",)),
    *[Case("db-no-database", ("forecast", "--params", "params/ci.yaml", "--db", url),
           (f"database URL '{url}' names no database", f"e.g. {url}/skulab"), variant=variant)
      for variant, url in (("mysql", "mysql+pymysql://root@127.0.0.1:3306"),
                           ("postgres", "postgresql+psycopg://postgres@127.0.0.1:5432"))],
    Case("db-in-memory", ("forecast", "--params", "params/ci.yaml", "--db", "duckdb:///:memory:"),
         ("'duckdb:///:memory:' is an in-memory database, so nothing would persist", "duckdb:///data/ci.duckdb")),
    Case("db-not-duckdb", ("forecast", "--params", "params/ci.yaml", "--db", "duckdb:///{root}/notes.txt"),
         ("notes.txt is not a DuckDB database file",), lambda p: (p.root / "notes.txt").write_text("not a database\n")),
    Case("db-read-only", ("erp", "build", "--params", "params/own.yaml", "--db",
                          "duckdb:///{root}/ro.duckdb?access_mode=read_only"),
         ("cannot create the ERP tables in", "read-only"), _empty_duckdb("ro.duckdb")),
    Case("db-locked", ("forecast", "--params", "params/ci.yaml", "--db", "{db}"),
         ("{root}/erp.duckdb is in use by another process (PID {pid}:", "import duckdb", "then retry"),
         _hold_lock, variant="reader"),
    Case("db-locked", ("erp", "build", "--params", "params/own.yaml", "--db", "{db}"),
         ("{root}/erp.duckdb is in use by another process (PID {pid}:", "then retry"), _hold_lock, variant="writer"),
]


@pytest.fixture
def project(tmp_path: Path, small_tables: dict, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    shutil.copy(ROOT / "params" / "ci.yaml", root / "params" / "ci.yaml")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "01_eda.ipynb").write_text("{}")
    monkeypatch.setenv("SKULAB_ROOT", str(root))
    monkeypatch.delenv("SKULAB_DB_URL", raising=False)
    monkeypatch.chdir(root)
    p = Project(root, small_tables, {"root": str(root), "db": f"duckdb:///{root}/erp.duckdb"})
    yield p
    for cleanup in p.cleanups:
        cleanup()


def _snapshot(root: Path) -> dict[str, str]:
    return {str(f.relative_to(root)): hashlib.sha1(f.read_bytes()).hexdigest()
            for f in sorted(root.rglob("*")) if f.is_file()}


def _run(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _server_url(server: str) -> str:
    url = os.environ.get(SERVERS[server])
    if not url:
        pytest.skip(f"{server} case skipped: set {SERVERS[server]} (.ci/run sets it when the server answers)")
    return url


def _check(code: int, out: str, err: str, words: list[str], absent: tuple[str, ...] = ()) -> str:
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and out == "", (out, err)
    for w in (*words,):
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    for w in absent:
        assert w not in lines[0]
    return lines[0]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else [])
                                  for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(case: Case, project: Project,
                                                         capsys: pytest.CaptureFixture) -> None:
    if case.server:
        url = sa.engine.make_url(_server_url(case.server))
        project.vars["server_nodb"] = url.set(database="skulab_no_such_db").render_as_string(hide_password=False)
        project.vars["server_nobody"] = url.set(username="skulab_nobody").render_as_string(hide_password=False)
    if case.setup:
        case.setup(project)
    before = _snapshot(project.root)
    t0 = time.perf_counter()
    code, out, err = _run([a.format(**project.vars) for a in case.argv], capsys)
    seconds = time.perf_counter() - t0
    _check(code, out, err, [w.format(**project.vars) for w in case.words], case.absent)
    assert _snapshot(project.root) == before, "a failed command wrote or changed files"
    assert seconds < 2 * CONNECT_TIMEOUT, f"took {seconds:.1f} s"


@pytest.mark.parametrize("job", list(JOBS))
def test_job_on_a_database_never_built_says_how_to_build_it(job: str, engine: sa.Engine, db_url: str,
                                                            project: Project, capsys: pytest.CaptureFixture) -> None:
    """An existing but empty database (a new DuckDB file, or an empty MariaDB / PostgreSQL database)."""
    tables_before = sa.inspect(engine).get_table_names()
    duck = engine.url.database if engine.dialect.name == "duckdb" else None
    digest = hashlib.sha1(Path(duck).read_bytes()).hexdigest() if duck else None
    code, out, err = _run([*JOBS[job], "--params", "params/ci.yaml", "--db", db_url], capsys)
    shown = engine.url.render_as_string(hide_password=True)
    _check(code, out, err, [f"no ERP tables in {shown}: run skulab erp build --params params/ci.yaml --db {shown}"])
    assert sa.inspect(engine).get_table_names() == tables_before == []
    if duck:
        assert hashlib.sha1(Path(duck).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_online_retail_ii_columns_are_read(fmt: str, project: Project, capsys: pytest.CaptureFixture) -> None:
    f = project.root / f"online_retail_II.{fmt}"
    df = _retail_ii()
    df.to_csv(f, index=False) if fmt == "csv" else df.to_parquet(f)
    project.profile("retail2", data={"source": "online_retail", "path": f.name, "seed": None, "scale": None,
                                     "start": None, "days": None})
    code = cli.main(["erp", "build", "--params", "params/retail2.yaml", "--db", project.vars["db"]])
    out, err = capsys.readouterr()
    assert code == 0, err
    summary = out.split("cleaning steps")[0]
    counts = {line.split()[0]: line.split()[-1] for line in summary.splitlines()[1:] if line.split()}
    assert counts["order_line"] == "3" and counts["orders"] == "2" and counts["dim_sku"] == "2"
    assert "cancellation (InvoiceNo starts with 'C')" in out


def test_frat_reads_dunnhumby_column_names(project: Project, capsys: pytest.CaptureFixture) -> None:
    _frat()(project)
    folder = project.root / "frat"
    upper = {"store_id": "STORE_NUM", "upc_id": "UPC"}
    tx = pd.read_parquet(folder / "transactions.parquet")
    tx.rename(columns=lambda c: upper.get(c, c.upper())).to_parquet(folder / "transactions.parquet")
    products = pd.read_csv(folder / "products.csv", dtype=str)
    products.rename(columns=lambda c: "UPC" if c == "upc_id" else c.upper()).to_csv(folder / "products.csv",
                                                                                   index=False)
    code = cli.main(["erp", "build", "--params", "params/frat.yaml", "--db", project.vars["db"]])
    out, err = capsys.readouterr()
    assert code == 0, err
    summary = out.split("cleaning steps")[0].splitlines()[1:]
    counts = {line.split()[0]: line.split()[-1] for line in summary if line.split()}
    assert counts["fact_sales"] == "2" and counts["dim_sku"] == "1" and counts["dim_store"] == "1"


def test_unreachable_database_is_one_line_from_the_real_command(project: Project) -> None:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "skulab.cli", "forecast", "--params", "params/ci.yaml", "--db",
                          "postgresql+psycopg://postgres@127.0.0.1:1/x"], capture_output=True, text=True,
                         cwd=project.root, timeout=60, check=False)
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: cannot reach the database server")
    assert time.perf_counter() - t0 < 2 * CONNECT_TIMEOUT


def test_ctrl_c_is_one_line_exit_130_and_removes_the_job_folders(project: Project, capsys: pytest.CaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from skulab import erp, scratch

    made: list[Path] = []

    def interrupted(*args: object, **kwargs: object) -> None:
        made.append(scratch.make("skulab-ag-"))
        raise KeyboardInterrupt

    monkeypatch.setattr(erp, "connect", interrupted)
    code, out, err = _run(["forecast", "--params", "params/ci.yaml", "--db", project.vars["db"]], capsys)
    assert code == 130 and out == "" and err.count("\n") == 1, (code, out, err)
    assert err.startswith("error: interrupted: skulab forecast stopped before it finished") and "run it again" in err
    assert made and not made[0].exists()


def _latest_runs(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute("SELECT run_id, status FROM forecast_run ORDER BY run_id").fetchall() + \
            conn.execute("SELECT DISTINCT run_id FROM sales_forecast_latest").fetchall()


def test_ctrl_c_during_a_forecast_leaves_no_folder_and_the_latest_run_unchanged(project: Project) -> None:
    """The real command in its own process, interrupted while AutoGluon fits: one line, exit 130, its model folder
    gone, and the ERP's forecast runs and latest-run view as before."""
    from skulab import erp

    _ci_erp(project)
    engine = erp.make_engine(project.vars["db"])
    sku, store = erp.read_sales(engine)[["sku_id", "store_id"]].iloc[0]
    erp.write_run(engine, "forecast", "f1", pd.DataFrame({  # a finished run the latest-run view shows
        "sku_id": sku, "store_id": store, "model": "ETS", "mean": 2.0, "q10": 0.0, "q50": 2.0, "q90": 5.0,
        "forecast_date": pd.date_range("2023-07-03", periods=7)}), profile="ci", params={})
    engine.dispose()
    db, tmp = project.root / "erp.duckdb", project.root.parent / "tmp"
    tmp.mkdir()
    before = _latest_runs(db)
    # as a terminal starts it: a test run started in the background ignores SIGINT, and a child inherits an ignored
    # signal (a handled one is reset to the default by exec)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        job = subprocess.Popen([sys.executable, "-m", "skulab.cli", "forecast", "--params", "params/ci.yaml",
                                "--db", project.vars["db"]], cwd=project.root, env={**os.environ, "TMPDIR": str(tmp)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 120
    while not list(tmp.glob("skulab-ag-*/predictor")) and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.poll() is None, job.communicate()
    time.sleep(3)  # into the fit (its lazy imports, then LightGBM and ETS)
    job.send_signal(signal.SIGINT)
    out, err = job.communicate(timeout=60)
    assert job.returncode == 130 and out == "" and "Traceback" not in err, (job.returncode, out, err)
    assert err.count("\n") == 1 and err.startswith("error: interrupted: skulab forecast stopped"), err
    assert list(tmp.iterdir()) == []
    assert _latest_runs(db) == before == [("f1", "done"), ("f1",)]


def test_every_kind_is_documented() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text()
    rows = {line.split("|")[1].strip().strip("`") for line in doc.splitlines()
            if line.startswith("| `") and line.count("|") >= 4}
    kinds = {c.kind for c in CASES}
    assert kinds - rows == set(), "kinds tested but not in docs/errors.md"
    assert rows - kinds == set(), "kinds in docs/errors.md without a test"
