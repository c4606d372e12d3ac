"""`crawler serve`: Datasette on a notices database, with the shipped metadata (descriptions,
facets, canned queries) from ``crawler/datasette/metadata.yml``.

Datasette is pinned below 1.0 (pyproject.toml): 0.x reads canned queries and table options from
the metadata file given with ``--metadata``; 1.x moves them to a ``datasette.yaml`` given with
``--config``, which 0.x does not accept (its ``--config`` is an old name of ``--setting``)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from datasette.utils import tilde_encode

METADATA = Path(__file__).parent.parent / "datasette" / "metadata.yml"
# Datasette suggests facets by trying a query per column on every table page: 2.7 s of a 3.2 s full-text
# search at 20,000 notices (bench/growth.py). The metadata's facets stay; a column's menu adds others.
SETTINGS = {"sql_time_limit_ms": "5000", "suggest_facets": "off"}


SHIPPED_NAME = "notices"  # the database name metadata.yml is written for (data/notices.db)
# A link to a page of the database, in HTML or Markdown: `/notices/…` or `/notices"`.
_LINK = re.compile(rf"(?<![\w/.~-])/{SHIPPED_NAME}(?=[/\"?)#])")


def _renamed(value, name: str):
    """``value`` (metadata, or a part of it) for the database ``name``: each ``db: notices`` of a
    dashboard chart or filter names it, and each link into the database points at it."""
    if isinstance(value, dict):
        return {
            key: name if key == "db" and item == SHIPPED_NAME else _renamed(item, name) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_renamed(item, name) for item in value]
    if isinstance(value, str):
        return _LINK.sub("/" + tilde_encode(name), value)
    return value


def metadata_for(db_path: Path) -> dict:
    """The shipped metadata for this database: Datasette names a database by its file, and the
    metadata (descriptions, queries, the dashboard's charts and links) is written for `notices`."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata.pop("databases")
    metadata = _renamed(metadata, name)
    metadata["databases"] = {"basemap": databases["basemap"], name: databases[SHIPPED_NAME]}
    return metadata


def datasette_command(db_path: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    """The command line that serves ``db_path`` with the metadata file at ``metadata_path``."""
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command


def serve(db_path: Path, host: str, port: int) -> int:
    """Run Datasette on ``db_path`` until it exits (its exit code) or this process is stopped by
    SIGTERM, SIGHUP or Ctrl-C, which stop Datasette too (0)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(metadata_for(db_path), handle, ensure_ascii=False)
    metadata_path = Path(handle.name)
    server = subprocess.Popen(datasette_command(db_path, metadata_path, host, port))
    stopped = []

    def stop(signum, frame) -> None:
        # `kill`, systemd or a supervisor stop this process: Datasette must not live on without it,
        # holding the port and the database.
        stopped.append(signum)
        server.terminate()

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        code = server.wait()
    except KeyboardInterrupt:  # Ctrl-C reached Datasette too
        stopped.append(signal.SIGINT)
        code = server.wait()
    finally:
        metadata_path.unlink(missing_ok=True)
    return 0 if stopped else code
