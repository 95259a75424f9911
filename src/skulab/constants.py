"""Constants that more than one module needs: the open date range of a reader called without dates."""

from __future__ import annotations

from datetime import date, datetime

EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)
EARLIEST, LATEST = datetime(1900, 1, 1), datetime(2999, 12, 31)
