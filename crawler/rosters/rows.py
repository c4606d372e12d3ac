"""Finding a list in a grid of cells (a sheet, a table) or in text lines, and turning its rows into
entries: title rows, the header row, merged and blank cells, footnotes and repeated headers."""

from __future__ import annotations

import re

from crawler.extract.text import normalize_text
from crawler.rosters.model import Entry
from crawler.rosters.places import split_cluster_name, split_places

_NAME_HEADERS = ("集群名称", "产业集群名称", "名称", "集群", "产业集群", "项目名称")
_SEQ_HEADERS = ("序号", "编号", "排名", "No", "NO", "no")
_REGION_HEADERS = (
    "所在地",
    "地区",
    "所属地区",
    "所在地区",
    "设区市",
    "所属设区市",
    "地市",
    "城市",
    "市",
    "县（市、区）",
    "县(市、区)",
    "所属县（市、区）",
    "区县",
    "县市区",
    "县（市、区、开发区）",
    "所属地市",
    "申报地区",
    "属地",
)
_FOOTNOTE = re.compile(r"^(注|备注|说明|附注)[:：]|^注\d|^\*")
_TOTALS = ("合计", "总计", "小计")
_SPACE = re.compile(r"\s+")
_INT = re.compile(r"^\d{1,4}$")
_NOTE_AFTER_NAME = re.compile(r"(集群)\s*([（(][^（()）]*[)）])$")
_NUMBERED = re.compile(r"^\s*(?:[（(]\s*(\d{1,4})\s*[)）]|(\d{1,4})\s*[.、．,，)）]|(\d{1,4})(?=\s))\s*(.+)$")


def clean_cell(value) -> str:
    """A cell's text with every space and line break removed (Chinese names have none)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACE.sub("", str(value))


def _header_key(cell: str) -> str:
    return normalize_text(cell).replace(" ", "")


def _is_name_header(cell: str) -> bool:
    key = _header_key(cell)
    return key in _NAME_HEADERS or (key.endswith("名称") and len(key) <= 8)


def _is_region_header(cell: str) -> bool:
    key = _header_key(cell)
    return key in _REGION_HEADERS or key.startswith(("所在", "所属")) and not key.endswith("名称")


def header_columns(row: list[str]) -> dict | None:
    """Column roles of a header row (``name``, ``seq``, ``regions``, ``extra``), or None if it is none."""
    if not any(len(cell) <= 10 and ("名" in cell or "集群" in cell) for cell in row):
        return None
    names = [i for i, cell in enumerate(row) if cell and _is_name_header(cell)]
    if not names or len({c for c in row if c}) < 2:
        return None
    name = next((i for i in names if "集群" in row[i]), names[0])
    roles = {"name": name, "seq": None, "regions": [], "extra": {}}
    for i, cell in enumerate(row):
        if i == name or not cell or cell == row[name]:
            continue
        if _header_key(cell) in _SEQ_HEADERS and roles["seq"] is None:
            roles["seq"] = i
        elif _is_region_header(cell):
            roles["regions"].append(i)
        else:
            roles["extra"][i] = cell
    return roles


def _guess_columns(rows: list[list[str]]) -> dict | None:
    """Column roles of a list with no header: the column whose cells end with 集群 is the name."""
    width = max((len(r) for r in rows), default=0)
    best, hits = None, 0
    for i in range(width):
        count = sum(1 for r in rows if i < len(r) and r[i].endswith("集群"))
        if count > hits:
            best, hits = i, count
    if best is None or hits < 2:
        return None
    seq = next((i for i in range(best) if sum(1 for r in rows if i < len(r) and _INT.match(r[i])) >= hits), None)
    named = [r for r in rows if best < len(r) and r[best].endswith("集群")][:50]
    regions = [
        i
        for i in range(width)
        if i not in (best, seq)
        and any(i < len(r) and r[i] and split_places(normalize_text(r[i]))[0]["city"] for r in named)
    ]
    return {"name": best, "seq": seq, "regions": regions, "extra": {}}


def _skip(row: list[str], name: str, header: list[str] | None) -> bool:
    """Blank names, a repeated header, footnotes (注：…) and totals are no entries."""
    return not name or row == header or name in _TOTALS or bool(_FOOTNOTE.match(name)) or bool(_FOOTNOTE.match(row[0]))


def make_entry(seq: int, name: str, province: str | None, region: str = "", extra: dict | None = None) -> Entry:
    """An entry for a published name, its places from the name and else from its region cells."""
    places = split_cluster_name(name, province)
    if region and (places["city"] is None or places["county"] is None):
        found, _ = split_places(normalize_text(region).replace(" ", ""), places["province"] or province)
        if found["city"] and places["city"] in (None, found["city"]):
            places["city"] = found["city"]
            places["county"] = places["county"] or found["county"]
        elif found["county"] and places["county"] is None and places["city"] in (None, found["city"]):
            places["county"] = found["county"]
        places["province"] = places["province"] or found["province"]
    return Entry(
        seq,
        name,
        normalize_text(name).replace(" ", ""),
        places["province"],
        places["city"],
        places["county"],
        places["industry"],
        dict(extra or {}),
    )


def entries_from_grid(grid: list[list], province: str | None = None, start: int = 1) -> list[Entry]:
    """The entries of a list in a grid of cells: rows before the header are titles, a repeated
    header (a table continued on the next page) is skipped, and an empty region cell takes the
    value above it (a merged cell)."""
    rows = [[clean_cell(c) for c in row] for row in grid]
    rows = [r for r in rows if any(r)]
    roles, header, body = None, None, rows
    for i, row in enumerate(rows[:30]):
        roles = header_columns(row)
        if roles:
            header, body = row, rows[i + 1 :]
            break
    roles = roles or _guess_columns(rows)
    if roles is None:
        return []
    entries, above = [], {}
    for row in body:
        if header_columns(row):
            continue
        name = row[roles["name"]] if roles["name"] < len(row) else ""
        if _skip(row, name, header) or (header is None and not name.endswith("集群")):
            continue
        if len({c for c in row if c}) == 1 and not name.endswith("集群") and header is not None:
            continue  # a title or section row spanning the table
        region = []
        for i in roles["regions"]:
            value = row[i] if i < len(row) and row[i] != name else ""
            above[i] = value or above.get(i, "")
            region.append(above[i])
        extra = {label: row[i] for i, label in roles["extra"].items() if i < len(row) and row[i]}
        entries.append(make_entry(start + len(entries), name, province, "".join(region), extra))
    return entries


def _join_wrapped(lines: list[str]) -> list[str]:
    """A numbered name wrapped onto the next line (a long name in a PDF) joined back."""
    joined: list[str] = []
    for line in (line.strip() for line in lines):
        before = joined[-1] if joined else ""
        if (
            _NUMBERED.match(before)
            and "集群" not in before
            and not _NUMBERED.match(line)
            and line.endswith("集群")
            and len(line) <= 20
            and " " not in line
        ):
            joined[-1] = before + line
        else:
            joined.append(line)
    return joined


def grid_from_lines(lines: list[str]) -> list[list[str]]:
    """Text lines as rows of cells: a numbered line ``1.杭州市…集群`` or ``（2）…`` gives its number
    and its text; other lines split on spaces (a table row printed as text). A note in brackets
    right after a name is a cell of its own."""
    grid = []
    for line in _join_wrapped(lines):
        match = _NUMBERED.match(line)
        if match and not header_columns(line.split()):
            number = next(g for g in match.groups()[:3] if g)
            cells = [number, *_NOTE_AFTER_NAME.sub(r"\1 \2", match.group(4)).split()]
        else:
            cells = line.split()
        grid.append([c.rstrip("；;。，,") for c in cells])
    return grid


def entries_from_lines(lines: list[str], province: str | None = None) -> list[Entry]:
    """The entries of a list in text lines: a header line and its rows, or numbered names."""
    grid = grid_from_lines(lines)
    header_at = next((i for i, row in enumerate(grid) if header_columns(row)), None)
    if header_at is not None:
        entries = _entries_under_text_header(grid[header_at:], province)
        if entries:
            return entries
    numbered = []
    for row in grid:
        names = [i for i, cell in enumerate(row) if i and cell.endswith("集群")]
        if names and _INT.match(row[0]):
            numbered.append([row[0], "".join(row[1 : names[-1]]), row[names[-1]]])
    return entries_from_grid(numbered, province)


def _entries_under_text_header(grid: list[list[str]], province: str | None) -> list[Entry]:
    """Rows printed as space-separated text under a header line; a row with fewer cells than the
    header (a merged region left out) is aligned on its sequence number and its name."""
    header, width = grid[0], len(grid[0])
    roles = header_columns(header)
    aligned = [header]
    for row in grid[1:]:
        if len(row) == width:
            aligned.append(row)
        elif row and any(c.endswith("集群") for c in row):
            cells = [""] * width
            if roles["seq"] is not None and _INT.match(row[0]):
                cells[roles["seq"]], row = row[0], row[1:]
            name_at = max(i for i, c in enumerate(row) if c.endswith("集群"))
            cells[roles["name"]] = "".join(row[: name_at + 1]) if not roles["regions"] else row[name_at]
            for i, value in zip(roles["regions"], row[:name_at]):
                cells[i] = value
            aligned.append(cells)
    return entries_from_grid(aligned, province)
