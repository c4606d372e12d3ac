"""The facet type ``one_query`` of `crawler serve`: column facets counted together, in one query.

Datasette's column facets run one query each over the same rows. A search box term found in most
notices made each of the notices table's four facets gather its 137,000 matches again and give up
at its time limit (bench/growth.py, 200,000 notices). Counted together, by the combinations of the
columns' values, the matches are gathered once; each column's counts are then summed from the
combinations. The result is what the column facets give (values by count, then value; toggle URLs;
``type`` ``column``), so the page and its JSON look the same.

In metadata: ``facets: [{one_query: site}, {one_query: province}]``. The query may take the time
limit of as many facet queries as it replaces; if it runs out, every one of its facets is reported
as timed out, as Datasette reports one.
"""

from __future__ import annotations

from collections import Counter

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


@hookimpl
def register_facet_classes():
    """Datasette's hook: the facet type this plugin adds."""
    return [OneQueryFacet]


def ranked(counts: Counter) -> list[tuple[object, int]]:
    """(value, count) by count, most first, then by value in SQLite's order (numbers, text, bytes)."""
    kinds = {int: 0, float: 0, str: 1, bytes: 2}
    return sorted(counts.items(), key=lambda item: (-item[1], kinds.get(type(item[0]), 3), item[0]))


class OneQueryFacet(Facet):
    """The column facets of type ``one_query`` of a table page, from one grouped query."""

    type = "one_query"

    async def facet_results(self):
        configs = self.get_configs()
        columns = [entry["config"].get("column") or entry["config"]["simple"] for entry in configs]
        if not columns:
            return [], []
        distinct = list(dict.fromkeys(columns))
        names = ", ".join(escape_sqlite(column) for column in distinct)
        try:
            combinations = await self.ds.execute(
                self.database,
                f"select {names}, count(*) from ({self.sql}) group by {names}",
                self.params,
                truncate=False,
                custom_time_limit=self.ds.setting("facet_time_limit_ms") * len(distinct),
            )
        except QueryInterrupted:
            return [], distinct
        counts = {column: Counter() for column in distinct}
        for row in combinations.rows:
            for index, column in enumerate(distinct):
                if row[index] is not None:
                    counts[column][row[index]] += row[-1]
        size = self.get_facet_size()
        results = []
        for entry, column in zip(configs, columns, strict=True):
            values = ranked(counts[column])
            results.append(
                {
                    "name": column,
                    "type": "column",
                    "hideable": entry["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
                    "results": await self._values(column, values[:size]),
                    "truncated": len(values) > size,
                }
            )
        return results, []

    async def _values(self, column: str, values: list[tuple[object, int]]) -> list[dict]:
        """The facet's values as Datasette's column facet gives them: label, count, toggle URL, selected."""
        pairs = self.get_querystring_pairs()
        labels = {}
        if self.table:
            labels = await self.ds.expand_foreign_keys(
                self.database, self.table, column, [value for value, _ in values]
            )
        key = f"{column}__exact" if column.startswith("_") else column
        answer = []
        for value, count in values:
            selected = (key, str(value)) in pairs
            if selected:
                toggle = path_with_removed_args(self.request, {key: str(value)})
            else:
                toggle = path_with_added_args(self.request, {key: value})
            answer.append(
                {
                    "value": value,
                    "label": labels.get((column, value), value),
                    "count": count,
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                    "selected": selected,
                }
            )
        return answer
