"""Rewrite the figures of docs/results.md from their sources after `make reports`: `python tests/docs/refresh_results.py`.

Every checked cell keeps its words and format (decimals, sign, thousands separators, %, bold) and gets the source's
numbers; a row whose key no longer names one source row is listed, not guessed: edit those by hand. The prose
around the tables is not touched: read it again against the new figures. test_results.py then checks the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_results import (
    NUMBER,
    RESULTS,
    ROOT,
    Table,
    _names_row,
    _norm,
    _number,
    compare,
    numbers,
    parse,
    read_source,
)


def _format(value: float, printed: str) -> str:
    """`value` printed the way `printed` was: its decimals, sign and thousands separators."""
    text = printed.replace(",", "")
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    sign = "+" if printed.startswith("+") else ""
    if exponent:
        return f"{value:{sign}.{decimals}e}"
    comma = "," if "," in printed else ""
    out = f"{value:{sign}{comma}.{decimals}f}"
    return "0" + out[2:] if out.startswith("-0") and float(out) == 0 else out


def refresh_cell(cell: str, values: list[object], scales: list[float | None]) -> str:
    """The cell with its printed numbers replaced by the source values (text cells by the source's words)."""
    if compare(cell, values, scales) is None:
        return cell
    nums = [_number(v) for v in values]
    if len(values) == 1 and nums[0] is None:
        return str(values[0]) if "**" not in cell else f"**{values[0]}**"
    if any(n is None for n in nums) or len(numbers(cell)) != len(nums):
        return cell
    found = list(NUMBER.finditer(cell))
    out, at = [], 0
    for m, v, s in zip(found, nums, scales):
        scale = s if s is not None else (100.0 if "%" in cell else 1.0)
        out += [cell[at:m.start()], _format(v * scale, m.group(0))]
        at = m.end()
    return "".join(out) + cell[at:]


def refresh(table: Table, lines: list[str]) -> list[str]:
    """Rewrite the table's rows in `lines` (the results file's lines); what could not be refreshed."""
    records = read_source(ROOT, table.source)
    records = [r for r in records if all(_norm(r.get(c)) == _norm(v) for c, v in table.where.items())]
    key_at = {name: next(i for i, e in enumerate(table.columns) if [n for n, _ in e] == [name]) for name in table.key}
    left = []
    for j, row in enumerate(table.rows):
        matches = [r for r in records if all(_names_row(row[i], r[name], table.columns[i][0][1])
                                             for name, i in key_at.items())]
        if len(matches) != 1:
            left.append(f"{table.id}: row {' / '.join(row[i] for i in key_at.values())!r} names "
                        f"{len(matches)} source rows")
            continue
        cells = [c if not entry or i in key_at.values() else
                 refresh_cell(c, [matches[0][n] for n, _ in entry], [s for _, s in entry])
                 for i, (c, entry) in enumerate(zip(row, table.columns))]
        if cells != row:
            lines[table.line + 1 + j] = "| " + " | ".join(cells) + " |"  # 0-based: header, rule, then the rows
    return left


def main() -> int:
    lines = RESULTS.read_text(encoding="utf-8").splitlines()
    left = []
    for table in parse("\n".join(lines)):
        if len(table.columns) == len(table.header):
            left += refresh(table, lines)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(left) or "every row refreshed")
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main())
