"""The ``crawler`` command: parses options, calls the application (``crawler/app/``) and prints
what it returns; exit codes are listed in README's "Running from cron"."""

from __future__ import annotations

import json
import os
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import click

from crawler.downloader.host_map import HostMapError, host_map_from_env, parse_host_map
from crawler.siteconf import SiteDefinitionError, load_sites, select_sites
from crawler.spiders.revisit import REVISIT_MODES

DEFAULT_DB = Path("data/notices.db")


_DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="SQLite database.",
)


def _open_existing(db_path: Path):
    from crawler.store import Store

    if not db_path.exists():
        raise click.ClickException(f"no database at {db_path}; run `crawler crawl` (or `crawler demo`) first")
    return Store(db_path)


@contextmanager
def _storage_exit(path: Path):
    """Exit 4 with one line when the block cannot write ``path`` (or a file beside it): a full disk
    or a read-only file, raised as a ``crawler.store.base.StorageError`` or as an SQLite or OS error
    that stands for one (``storage_errors``)."""
    from crawler.app.crawl import EXIT_FAILED
    from crawler.store.base import StorageError, storage_errors

    try:
        with storage_errors(path):
            yield
    except StorageError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


def _settings_pairs(ctx, param, pairs: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="-s")
        result[key.strip()] = value
    return result


def _shard_option(ctx, param, text: str | None) -> tuple[int, int] | None:
    from crawler.shards import parse_shard

    return None if text is None else parse_shard(text)


def _crawl_options(command):
    options = [
        click.argument("names", nargs=-1),
        click.option(
            "--db",
            "db_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=DEFAULT_DB,
            show_default=True,
            help="SQLite database to write.",
        ),
        click.option(
            "--host-map",
            "host_map",
            multiple=True,
            metavar="HOST=BASE_URL",
            help="Fetch HOST from BASE_URL instead (a local mirror); records keep the real URL. "
            "Repeatable; CRAWLER_HOST_MAP adds comma-separated entries.",
        ),
        click.option(
            "-s",
            "--set",
            "scrapy_settings",
            multiple=True,
            metavar="NAME=VALUE",
            callback=_settings_pairs,
            help="A Scrapy setting, e.g. -s DOWNLOAD_DELAY=0. Repeatable.",
        ),
        click.option(
            "--log-level",
            default="WARNING",
            show_default=True,
            type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
            help="Log level of the crawl's messages on stderr.",
        ),
        click.option("--quiet", is_flag=True, help="Print nothing unless something is new, changed or failed."),
        click.option(
            "--revisit",
            type=click.Choice(REVISIT_MODES),
            default="due",
            show_default=True,
            help="Known detail pages: by the age schedule (recent often, old rarely), all now, or none.",
        ),
        click.option(
            "--backfill",
            type=click.IntRange(min=0),
            default=0,
            metavar="N",
            help="Read N listing pages deep whatever they hold (default: stop at a page with nothing new).",
        ),
        click.option(
            "--shard",
            metavar="I/N",
            callback=_shard_option,
            default=None,
            help="Only the sites of shard I of N (1-based; sites sharing a host stay together), each shard"
            " into its own --db; `crawler merge` gathers the shards into the central database.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _overrides(revisit: str, backfill: int, scrapy_settings: dict[str, str]) -> dict[str, str]:
    return {"CRAWLER_REVISIT": revisit, "CRAWLER_BACKFILL": str(backfill), **scrapy_settings}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zhengce-watch")
@click.option(
    "--sites-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    envvar="CRAWLER_SITES_DIR",
    default=None,
    help="Read the site definitions (*.toml) from this folder instead of the bundled ones [env CRAWLER_SITES_DIR].",
)
def main(sites_dir):
    """zhengce-watch: crawl Chinese government policy notices into a versioned SQLite file.

    \b
    Quick start:
      crawler demo                 # crawl the bundled offline mirror into data/notices.db
      crawler crawl                # crawl every enabled site
      crawler sites --json         # the site definitions
      crawler extract page.html    # one notice as JSON
      crawler --sites-dir my_sites sites
    """
    if sites_dir is not None:  # every command and the crawl's spiders read the definitions from there
        os.environ["CRAWLER_SITES_DIR"] = str(sites_dir.resolve())


@main.command()
@_crawl_options
def crawl(names, db_path, host_map, scrapy_settings, log_level, quiet, revisit, backfill, shard):
    """Crawl the named sites (every enabled site when none is named) into the database, then print
    what is new or changed. Exit code 0; 3 when a site could not be reached, was blocked, or was not
    read as its definition says (degraded or broken: the last line says which and why); 4 when no
    site could be reached, or the database cannot be written (disk full, read-only).

    \b
    Example:
      crawler crawl zj_jxt --db data/notices.db
      crawler crawl --host-map jxt.zj.gov.cn=http://127.0.0.1:8800/jxt.zj.gov.cn
      crawler crawl zj_jxt --backfill 20 --revisit all   # a whole column once, every known notice again
      crawler crawl --quiet --log-level INFO -s DOWNLOAD_DELAY=2
      crawler crawl --shard 2/3 --db data/shards/shard-2-of-3.db   # this machine's third of the sites
    """
    from crawler.app.crawl import format_report, run_crawl
    from crawler.shards import shard_sites

    try:
        sites = select_sites(names)
        mapping = {**host_map_from_env(), **parse_host_map(host_map)}
    except (SiteDefinitionError, HostMapError) as exc:
        raise click.ClickException(str(exc)) from None
    if not sites:
        raise click.ClickException("no enabled site to crawl; see `crawler sites`")
    if shard:
        sites = shard_sites(sites, *shard)
        if not sites:
            click.echo(f"shard {shard[0]}/{shard[1]} holds no site: nothing to crawl")
            return
    with _storage_exit(db_path):
        report = run_crawl(sites, db_path, mapping, _overrides(revisit, backfill, scrapy_settings), log_level)
    report.shard = shard
    if not quiet or report.noteworthy:
        click.echo(format_report(report))
    if report.exit_code != 0:
        click.echo(f"exit {report.exit_code}: {report.why()}", err=True)
    sys.exit(report.exit_code)


_CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Alert configuration (default: CRAWLER_CONFIG, crawler.toml, data/alerts.toml).",
)


@main.command()
@_crawl_options
@_CONFIG_OPTION
def run(names, db_path, host_map, scrapy_settings, log_level, quiet, revisit, backfill, shard, config_path):
    """The main job, for cron: crawl every enabled site (or the named ones), then send the alerts.
    Only one run at a time (a second one exits at once); everything is also logged to
    data/logs/crawler.log (rotated at 5 MB, 5 files kept). With --shard I/N it crawls shard I's sites
    only, under a lock and into a log of its database's own, and sends no alert: the shard's events
    wait for `crawler merge` into the central database, whose `crawler alert` sends them.

    \b
    Exit codes: 0 ok · 3 some sites unreachable, blocked, degraded or broken, or some alerts not sent
                4 no site reachable, or disk full / database read-only · 5 another run holds the lock · 6 bad alert configuration (nothing crawled)
    Example (crontab, hourly; cron mails only problems):
      0 * * * *  cd /srv/zhengce-watch && .venv/bin/crawler run --quiet
      crawler run zj_jxt --db data/notices.db --config crawler.toml --revisit all --backfill 5
      crawler run --host-map jxt.zj.gov.cn=http://127.0.0.1:8800/jxt.zj.gov.cn -s DOWNLOAD_DELAY=0 --log-level INFO
      crawler run --quiet --shard 2/3 --db data/shards/shard-2-of-3.db   # one of three machines
    """
    from crawler.app.crawl import EXIT_CONFIG, EXIT_LOCKED, EXIT_OK, format_report
    from crawler.app.cron import BadConfiguration, run_job
    from crawler.app.locks import LockHeld

    try:
        with _storage_exit(db_path):
            job = run_job(
                names, db_path, host_map, _overrides(revisit, backfill, scrapy_settings), log_level, config_path, shard
            )
    except LockHeld as exc:
        click.echo(f"Error: {exc}; this run does nothing.", err=True)
        sys.exit(EXIT_LOCKED)
    except BadConfiguration as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    report, outbox, code = job.report, job.outbox, job.exit_code
    t = report.totals
    alerts = (
        "no alert sent (a shard: `crawler merge` it into the central database, which sends them)"
        if shard
        else f"{len(outbox.sent)} alert(s) sent, {len(outbox.failed)} failed"
    )
    line = (
        f"run {report.run_id}: {t['new']} new, {t['changed']} changed, {t['errors']} problem(s), "
        f"{alerts}, exit {code} (log: {job.log_file})" + (f": {report.why()}" if report.why() else "")
    )
    if quiet:
        if code != EXIT_OK:
            click.echo(line)
    else:
        click.echo(format_report(report))
        for label, error in outbox.failed:
            click.echo(f"  alert failed  {label}: {error}")
        click.echo(line)
    sys.exit(code)


@main.command()
@click.argument("shards", nargs=-1, required=True, metavar="SHARD_DB_OR_URL...")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The central database to merge into (created when missing).",
)
def merge(shards, db_path):
    """Merge shard databases (written by `crawl --shard` / `run --shard`, or their exports fetched
    from an http:// URL) into the central database: every row new since that shard's last merge.
    Stories across sites, new/changed events and lists are decided here, as one machine crawling
    every site would have; the events wait for `crawler alert` on the central database. Merging
    twice adds nothing; a merge killed half-way, or stopped by a full disk, is completed by the next.
    Exit 4 when a database cannot be written (disk full, read-only: one line says which; what was
    merged before is kept); 5 when another merge into the same database is running.

    \b
    Example:
      crawler merge data/shards/shard-1-of-3.db data/shards/shard-2-of-3.db \\
          data/shards/shard-3-of-3.db --db data/notices.db
      crawler merge http://10.0.0.2:6800/shards/shard-2-of-3.db --db data/notices.db
    """
    from crawler.app.crawl import EXIT_LOCKED
    from crawler.app.locks import LockHeld
    from crawler.app.merging import MergeError, merge_shards

    try:
        with _storage_exit(db_path):
            report = merge_shards(list(shards), db_path)
    except MergeError as exc:
        raise click.ClickException(str(exc)) from None
    except LockHeld as exc:
        click.echo(f"Error: {exc}; this merge does nothing.", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(report.summary())


@main.command()
@_DB_OPTION
@_CONFIG_OPTION
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and write nothing.")
@click.option(
    "--test",
    "test_channel",
    metavar="CHANNEL",
    default=None,
    help="Send a test message to a channel URL (or to every channel of the named subscription).",
)
def alert(db_path, config_path, dry_run, test_channel):
    """Deliver pending alerts: every event not yet routed is matched against the subscriptions,
    and every due delivery is sent (failed ones are retried with backoff, sent ones never again).

    \b
    Example:
      crawler alert --dry-run
      crawler alert --test 'json://127.0.0.1:8080/hook'
      crawler alert --db data/notices.db --config crawler.toml
    """
    from crawler.alerts.channels import ChannelError
    from crawler.alerts.config import ConfigError, load_config
    from crawler.alerts.outbox import preview
    from crawler.app.alerting import deliver_pending, send_test

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if test_channel:
        try:
            sends = send_test(config, test_channel)
        except ChannelError as exc:
            raise click.ClickException(str(exc)) from None
        for send in sends:
            if send.error is None:
                click.echo(f"sent to {send.label}")
            else:
                click.echo(f"failed: {send.label}: {send.error}", err=True)
        sys.exit(1 if any(send.error for send in sends) else 0)
    with _storage_exit(db_path), closing(_open_existing(db_path)) as store:
        if dry_run:
            planned = preview(store, config)
            for subscription, channel, title in planned:
                click.echo(f"{subscription:<16}{channel:<40}{title}")
            click.echo(f"{len(planned)} message(s) would be sent")
            return
        report = deliver_pending(store, config)
    for label, title in report.sent:
        click.echo(f"sent    {label}  {title}")
    for label, error in report.failed:
        click.echo(f"failed  {label}  {error}")
    click.echo(f"{len(report.sent)} sent, {len(report.failed)} failed, {report.waiting} waiting")
    sys.exit(3 if report.failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's real URL (for one file): resolves links, dates in the URL.")
def extract(files, url):
    """Extract the notice of each saved page FILE; print one JSON object per file (JSON Lines).

    \b
    Example:
      crawler extract tests/fixtures/sites/www.cixidb.cn/news/627/627509.html \\
          --url https://www.cixidb.cn/news/627/627509.html
    """
    from crawler.extract import extract_notice

    if url and len(files) > 1:
        raise click.UsageError("--url names the URL of a single file")
    for path in files:
        notice = extract_notice(url or path.resolve().as_uri(), path.read_bytes())
        click.echo(json.dumps(notice.to_dict(), ensure_ascii=False))


@main.command()
@click.argument("url_or_id")
@_DB_OPTION
def history(url_or_id, db_path):
    """Show every version of a notice (by URL or id) with its dates and diffs, and its copies on
    other sites.

    \b
    Example:
      crawler history https://www.cixidb.cn/news/627/627509.html
      crawler history 12 --db data/notices.db
    """
    from crawler.app.history import notice_history

    with closing(_open_existing(db_path)) as store:
        found = notice_history(store, url_or_id)
    if found is None:
        raise click.ClickException(f"no notice {url_or_id!r} in {db_path}")
    notice = found.notice
    click.echo(f"{notice['title']}\n{notice['url']}")
    click.echo(
        f"site {notice['site']} · published {notice['published_at'] or '?'} · status {notice['status']}"
        f" · first seen {notice['first_seen_at']} · last seen {notice['last_seen_at']}"
    )
    for copy in found.copies:
        click.echo(f"same notice on {copy['site']}: {copy['url']}")
    for version in found.versions:
        until = f" until {version['valid_to']}" if version["valid_to"] else " (current)"
        click.echo(
            f"\nv{version['version']}  {version['change_kind']}  from {version['valid_from'] or version['observed_at']}"
            f"{until}  last observed {version['last_observed_at']}"
        )
        if version["diff"]:
            click.echo(version["diff"])


@main.command()
@_DB_OPTION
def reextract(db_path):
    """Extract every stored notice again from its saved page, offline, with the current extractor
    and site definitions; a new version is made only where the result changed. Exit 4 when the
    database cannot be written (disk full, read-only: one line says which; each notice stored before
    is kept, and running it again completes the work).

    \b
    Example:
      crawler reextract --db data/notices.db
    """
    from crawler.app.reextract import reextract as run_reextract

    with _storage_exit(db_path):
        _open_existing(db_path).close()
        counts = run_reextract(db_path)
    click.echo(
        f"{counts['stored']} notice(s) changed, {counts['unchanged']} unchanged, "
        f"{counts['skipped']} without a saved page"
        + (f", {counts['refused']} no longer read as a notice (kept as stored)" if counts["refused"] else "")
    )


@main.command()
@_DB_OPTION
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (the default answers this machine only).",
)
def serve(db_path, port, host):
    """Browse and search the database in Datasette, with the project's table descriptions, canned
    queries (latest notices, new cluster lists, open calls, recent changes, …), a map of the
    clusters, a dashboard, an Atom feed of new notices and an iCalendar feed of open calls'
    deadlines; tiles, scripts and styles are served from this machine.

    \b
    Example:
      crawler serve --port 8001   # then open http://127.0.0.1:8001/
      crawler serve --db data/notices.db --host 127.0.0.1
      # map:       http://127.0.0.1:8001/notices/cluster_places
      # dashboard: http://127.0.0.1:8001/-/dashboards/overview
      # calendar:  http://127.0.0.1:8001/notices/open_calls_calendar.ics
    """
    from crawler.app.serving import serve as serve_datasette

    _open_existing(db_path).close()
    sys.exit(serve_datasette(db_path, host, port))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--min-share",
    default=0.6,
    show_default=True,
    type=click.FloatRange(0.1, 1.0),
    help="Share of the pages a line must appear on to count as template text.",
)
def template(files, min_share):
    """Learn a site's template from several of its saved detail pages: print the text lines that
    repeat across them as the `chrome` list for the site definition's [extract] table.

    \b
    Example:
      crawler template saved/www.cixidb.cn/news/*/*.html >> crawler/sites/cixidb.toml
      crawler template --min-share 0.8 saved/a.html saved/b.html saved/c.html
    """
    from crawler.extract.template import repeated_lines

    lines = repeated_lines([path.read_bytes() for path in files], min_share=min_share)
    click.echo(f"# learned from {len(files)} pages: lines found on at least {min_share:.0%} of them")
    click.echo("chrome = [")
    for line in lines:
        click.echo(f"    {json.dumps(line, ensure_ascii=False)},")
    click.echo("]")


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@click.option(
    "--health",
    is_flag=True,
    help="Each site's state after its last run (ok, degraded, broken, failing, "
    "blocked, never crawled) and why, its last successful read.",
)
@click.option(
    "--check",
    "check_name",
    metavar="NAME",
    default=None,
    help="Crawl one definition (against its recorded tree, or --live) and show how each page was "
    "read; ends with a verdict: ok (exit 0), degraded (3) or broken (4).",
)
@click.option(
    "--live",
    is_flag=True,
    help="With --check: against the real site, through CRAWLER_HOST_MAP when "
    "set (the recorded tree when it cannot be reached).",
)
@click.option(
    "--tree",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="With --check: the recorded site tree to check against (default: the bundled one).",
)
@_DB_OPTION
@click.pass_context
def sites(ctx, as_json, health, check_name, live, tree, db_path):
    """List the site definitions (crawler/sites/*.toml), their health, or check one; `crawler sites
    detect` names a listing page's CMS family and prints a starter definition for it.

    \b
    Example:
      crawler sites --json
      crawler sites --health
      crawler sites --check zj_jxt          # against the recorded tree
      crawler sites --check zj_jxt --live   # against the real site
      crawler sites --check cinn --tree tests/fixtures/redesign
      crawler sites --health --db data/notices.db
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        defined = load_sites()
    except SiteDefinitionError as exc:
        raise click.ClickException(str(exc)) from None
    if check_name:
        _check_site(defined, check_name, live, tree)
    if health:
        from crawler.app.site_health import site_health

        with closing(_open_existing(db_path)) as store:
            found = site_health(store, list(defined))
        for site in found:
            if site.state is None:
                click.echo(f"{site.name:<16}never crawled")
                continue
            click.echo(
                f"{site.name:<16}{site.state:<24}last read {site.last_success or 'never'}"
                + (f"  {site.why}" if site.why else "")
            )
        return
    if as_json:
        click.echo(json.dumps([s.to_json() for s in defined.values()], ensure_ascii=False, indent=2))
        return
    for site in defined.values():
        state = "" if site.enabled else "  (disabled)"
        checked = "checked live" if site.live_checked else "not checked live"
        click.echo(f"{site.name:<16}{site.kind:<13}{site.province or '-':<6}{checked:<18}{site.title}{state}")
        for url in site.start_urls:
            click.echo(f"{'':<16}{url}")


@sites.command()
@click.argument("url_or_file")
@click.option(
    "--url",
    "page_url",
    default=None,
    metavar="URL",
    help="The page's real URL: resolves its links and names the site. For a saved file (default: the "
    "file's file:// URI, which leaves start_urls and the host to fill in), or for a page fetched "
    "through a mirror.",
)
@click.option("--name", default=None, help="The definition's name (default: from the host, jxt.zj.gov.cn → zj_jxt).")
def detect(url_or_file, page_url, name):
    """Name a listing page's CMS family and print a starter site definition.

    URL_OR_FILE is an http(s) URL, fetched once (the crawler's User-Agent, robots.txt obeyed, 30 s
    timeout), or a saved page. The output is the family and the markers it was told by (Hanweb
    datastore records, TRS createPageHTML, Ls.pagination, jpaas, gkmlpt, NFCMS, RSS, JSON list
    fields …) as `# ` comment lines, then a TOML definition: the adapter and listing options, the
    detail URL pattern learned from the page's links, title, kind and province guessed. It is
    unchecked: save it under crawler/sites/ (or a --sites-dir folder), review it, then run
    `crawler sites --check NAME`. A JSON list API tells its family only from its own answer: give
    the API URL, not the page that calls it.

    \b
    Example:
      crawler sites detect https://jxt.zj.gov.cn/col/col1582900/index.html > my_sites/zj_jxt.toml
      crawler sites detect saved/index.html --url https://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/index.html --name hn_gxt
      crawler --sites-dir my_sites sites --check zj_jxt
    """
    import re
    from urllib.parse import urlsplit

    from crawler.listings import detect as cms_detect

    if name is not None and not re.fullmatch(r"[a-z0-9_]+", name):
        raise click.BadParameter("use lower-case letters, digits and underscores", param_hint="--name")
    if page_url is not None and urlsplit(page_url).scheme not in ("http", "https"):
        raise click.BadParameter(f"not an http(s) URL: {page_url}", param_hint="--url")
    try:
        url, body = cms_detect.listing_page(url_or_file, page_url)
    except cms_detect.PageUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    detection = cms_detect.detect(url, body)
    for line in cms_detect.describe(detection):
        click.echo(f"# {line}")
    click.echo(cms_detect.starter_toml(detection, name), nl=False)


def _check_site(defined: dict, name: str, live: bool, tree: Path | None) -> None:
    """Print ``crawler sites --check NAME`` and exit by its verdict."""
    from crawler.app.sitecheck import check_site

    if name not in defined:
        raise click.ClickException(f"unknown site {name!r}; known sites: {', '.join(sorted(defined))}")
    try:
        host_map = host_map_from_env()
    except HostMapError as exc:
        raise click.ClickException(str(exc)) from None
    result = check_site(defined[name], live=live, tree=tree, host_map=host_map)
    for line in result.lines:
        click.echo(line)
    click.echo(f"verdict: {result.verdict}" + (f" ({result.reason})" if result.reason else ""))
    sys.exit(result.exit_code)


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="SQLite database to write.",
)
@click.option(
    "--tree",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Recorded site tree to serve (default: the bundled tests/fixtures/sites).",
)
def demo(db_path, tree):
    """Run the main job offline against the bundled local mirror of the sites, then list what is
    in the database.

    \b
    Example:
      crawler demo && datasette data/notices.db
      crawler demo --db /tmp/demo.db --tree tests/fixtures/sites
    """
    from crawler.app.crawl import format_report
    from crawler.app.demo import run_demo
    from crawler.mirror import DEFAULT_TREE

    tree = tree or DEFAULT_TREE
    if not tree.is_dir():
        raise click.ClickException(f"no recorded site tree at {tree}; run the demo from a checkout of the project")
    result = run_demo(
        db_path, tree, on_mirror=lambda hosts, base: click.echo(f"mirror of {hosts} recorded host(s) at {base}")
    )
    click.echo(format_report(result.report, hint_demo=False, list_events=False))
    if result.unrecorded:
        click.echo(
            f"\n{len(result.unrecorded)} listed page(s) are not in the recording: the mirror answers 404 for"
            " them, as a site does for a page it took down, and the crawl records them as missing:"
        )
        click.echo("\n".join(f"  {url}" for url in result.unrecorded))
    notices = result.notices
    click.echo(
        f"\n{db_path}: {len(notices)} notices now stored, {result.stories} stories (a notice republished on"
        " other sites is one story, with one `new` event)"
    )
    width = max((len(notice["site"]) for notice in notices), default=0) + 2
    for notice in notices:
        click.echo(f"  {notice['site']:<{width}}{(notice['published_at'] or '')[:10]:<12}{notice['title']}")
    sys.exit(result.report.exit_code)


@main.command()
@click.argument("nodes", nargs=-1, required=True, metavar="NODE_URL...")
@click.option("--shards", type=click.IntRange(min=1), default=None, help="Number of shards N (default: one per node).")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The central database the shards' exports are merged into.",
)
@click.option("--project", default="crawler", show_default=True, help="The Scrapyd project that runs the jobs.")
@click.option(
    "--shard-db-dir",
    default="data/shards",
    show_default=True,
    metavar="DIR",
    help="Folder of each shard's own database (shard-I-of-N.db) on its node, relative to the node's Scrapyd folder.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=3600,
    show_default=True,
    metavar="S",
    help="Seconds to wait for the jobs; those still going are then cancelled and reported.",
)
@click.option(
    "-a",
    "spider_args",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_settings_pairs,
    help="An argument of every shard job, e.g. -a host_map=HOST=BASE_URL,… or -a sites_dir=DIR. Repeatable.",
)
@click.option(
    "-s",
    "--set",
    "scrapy_settings",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_settings_pairs,
    help="A Scrapy setting of every shard job, e.g. -s DOWNLOAD_DELAY=2. Repeatable.",
)
def fleet(nodes, shards, db_path, project, shard_db_dir, timeout, spider_args, scrapy_settings):
    """Crawl the sites as N shards on Scrapyd nodes (shard I on node (I-1) mod the number of nodes),
    wait for the jobs, fetch each shard's export from its node and merge them into the central
    database. One line per shard; exit code 0; 3 when a shard failed, its export is missing or some
    of its sites were not read (the other shards are merged); 4 when no shard could be merged.

    \b
    Example:
      crawler fleet http://10.0.0.11:6800 http://10.0.0.12:6800 --shards 4 --db data/notices.db
      crawler fleet http://127.0.0.1:6800 --project crawler --shard-db-dir /srv/shards --timeout 1800
      crawler fleet http://127.0.0.1:6800 -a host_map=jxt.zj.gov.cn=http://127.0.0.1:8800/jxt.zj.gov.cn -s DOWNLOAD_DELAY=0
    """
    from crawler.app.fleet import run_fleet

    bad = [node for node in nodes if not node.startswith(("http://", "https://"))]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not a node URL such as http://10.0.0.11:6800", param_hint="NODE_URL")
    report = run_fleet(
        list(nodes), shards or len(nodes), db_path, project, shard_db_dir, timeout, spider_args, scrapy_settings
    )
    for line in report.lines():
        click.echo(line)
    sys.exit(report.exit_code)


@main.command()
@click.argument("dest", type=click.Path())
@_DB_OPTION
@click.option("--force", is_flag=True, help="Replace DEST when it is an existing file.")
def backup(dest, db_path, force):
    """Copy the database to DEST while crawls and `crawler serve` go on, check the copy, and copy
    the attachment files it refers to into DEST's folder (attachments/…, only those not there yet).

    The copy is SQLite's online backup taken in one read transaction, so every table's rows are
    counted in the source at the copy's own snapshot and must match the copy's, after which the
    copy must pass `PRAGMA integrity_check`. It is written to DEST.partial and renamed: DEST is never
    half-written. DEST may be a folder (an existing one, or a name ending in /, which must exist):
    the copy is then notices-YYYYmmddTHHMMSSZ.db inside (UTC),
    and its attachments/ folder is shared by every backup there. An existing DEST file is refused
    without --force. Prints one line: path, size, tables, rows, attachment files, seconds. Restore
    with `crawler restore BACKUP`. Exit 4 when DEST's disk is full or its folder read-only (DEST is
    left absent), 1 when the backup cannot be made for another reason.

    \b
    Example:
      crawler backup /srv/backups/
      crawler backup /srv/backups/notices.db --force --db data/notices.db
    """
    from crawler.app.backup import make_backup
    from crawler.store.backups import BackupError

    try:
        with _storage_exit(Path(dest)):
            click.echo(make_backup(db_path, dest, force=force).line())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False, path_type=Path))
@_DB_OPTION
def restore(backup_file, db_path):
    """Replace the database's contents with BACKUP (a file made by `crawler backup`), after checking
    it with `PRAGMA integrity_check`, and copy the attachment files it refers to from BACKUP's folder
    into the database's when missing there.

    The backup is loaded with SQLite's backup API in one write transaction: a running
    `crawler serve` reads the restored data at its next query and needs no restart, and no stale
    -wal/-shm file remains. Stop cron first; while the restore runs it holds the run lock, so a
    `crawler run` starting then exits 5, and a run in progress makes the restore exit 1 untouched.
    Exit 4 when the database cannot be written (disk full, read-only): it is left as it was.
    Everything written since the backup is lost: back up first if it may be needed.

    \b
    Example:
      crawler restore /srv/backups/notices-20261203T020000Z.db
      crawler restore /srv/backups/notices.db --db data/notices.db
    """
    from crawler.app.backup import restore_backup
    from crawler.store.backups import BackupError

    try:
        with _storage_exit(db_path):
            click.echo(restore_backup(backup_file, db_path).line())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@_DB_OPTION
@_CONFIG_OPTION
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="One age for every table, in days, instead of the [retention] table's (default 90; raw pages 365).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be deleted and the bytes freed; delete nothing.")
@click.option("--vacuum", is_flag=True, help="Then rewrite the file without its free pages (VACUUM), shrinking it.")
def prune(db_path, config_path, older_than, dry_run, vacuum):
    """Delete what grows with every run once it is older than the retention policy: fetches,
    listings, site_health and sent deliveries after 90 days, runs and the raw pages of superseded
    versions after 365 (days from a `[retention]` table in the configuration: fetches_days,
    listings_days, site_health_days, deliveries_days, snapshots_days, runs_days; `auto = true`
    makes `crawler run` prune after its alerts). Versions and events are never deleted.

    Whatever their age, what the crawler still reads is kept: each URL's latest fetch, each site's
    fetches since its listing was last read and its last error, its last five runs' listings, its
    last state, the raw page of every current version (`crawler reextract`), pending and failed
    deliveries and the last one sent per channel. Prints the rows deleted per table and the bytes
    freed: free pages inside the file, reused before it grows; --vacuum shrinks the file (it needs
    as much free disk as the database). Runs under the run lock: exit 5 while a crawl runs; exit 4
    when the database cannot be written (disk full, read-only): the deletions are undone, or kept
    when only the VACUUM lacked room (the file is then not shrunk).

    \b
    Example:
      crawler prune --dry-run
      crawler prune --older-than 30 --vacuum --db data/notices.db
      crawler prune --config crawler.toml
    """
    from crawler.alerts.config import ConfigError, load_config
    from crawler.app.crawl import EXIT_LOCKED
    from crawler.app.locks import LockHeld
    from crawler.app.prune import configured_limits, lines, prune_database

    if not db_path.exists():
        raise click.ClickException(f"no database at {db_path}; run `crawler crawl` (or `crawler demo`) first")
    try:
        limits = configured_limits(load_config(config_path), older_than)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with _storage_exit(db_path):
            pruned = prune_database(db_path, limits, dry_run=dry_run, vacuum=vacuum)
    except LockHeld as exc:
        click.echo(f"Error: {exc}; this prune does nothing.", err=True)
        sys.exit(EXIT_LOCKED)
    for line in lines(pruned):
        click.echo(line)
