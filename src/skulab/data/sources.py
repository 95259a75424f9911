"""Fill the canonical tables from the profile's source (demo, online_retail, frat, groceries, files or sql)."""

from __future__ import annotations

from skulab.config import Config
from skulab.data import SourceData
from skulab.errors import DataError


def load_source(cfg: Config) -> SourceData:
    """Build or read the profile's source into validated canonical tables."""
    source = cfg.data.source
    if source == "demo":
        from skulab.data import demo

        d = cfg.data
        return demo.generate(seed=d.seed, scale=d.scale, start=str(d.start), days=d.days, orders_scale=d.orders_scale)
    if source == "sql":
        from skulab.data import sql

        return sql.load(cfg)
    path = cfg.data_path
    if not path.exists():
        raise DataError(f"{path}: data folder for source '{source}' not found (set data.path in {cfg.source_file} "
                        "or SKULAB_SHARED_DATA)")
    if source == "online_retail":
        from skulab.data import online_retail

        return online_retail.load(path)
    if source == "frat":
        from skulab.data import frat

        return frat.load(path)
    if source == "groceries":
        from skulab.data import groceries

        return groceries.load(path)
    from skulab.data import files

    return files.load(path, locale=cfg.data.locale, timezone=cfg.data.timezone)
