"""Data sources that fill the canonical ERP tables: the synthetic demo chain and real-data adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from skulab.data.validate import Cleaning


@dataclass
class SourceData:
    """Validated canonical tables from one source, with the cleaning counts that produced them.

    `sales_freq` is the pandas frequency of fact_sales: "D" for daily data, "W-WED" etc. for weekly.
    """

    tables: dict[str, pd.DataFrame]
    cleaning: Cleaning = field(default_factory=Cleaning)
    sales_freq: str = "D"
