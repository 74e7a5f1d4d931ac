"""Reads of the OGC API: one page of a layer's features, one feature, and the usage record.

Every statement is built from the catalogue's declarations (gis_portal.catalogue.sql) and
the checked ``ItemsQuery``; PostgreSQL writes the GeoJSON of each feature, so a page of
10,000 features is one text of a few megabytes and nothing per feature is held in Python.
The statements run under ``OGC_STATEMENT_TIMEOUT_MS``: a filter that would scan a large
layer without an index is cut and refused in Chinese instead of holding a connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import OperationalError, connection, transaction
from psycopg import errors as pg_errors

from gis_portal.catalogue.spec import CatalogueLayer, Field
from gis_portal.catalogue.sql import (
    bbox_condition,
    feature_text_in_crs_sql,
    period_condition,
    rows_where,
)
from gis_portal.error_types import DomainError, NotFound
from gis_portal.models import SharedUsage
from gis_portal.ogc.crs import ServedCrs
from gis_portal.ogc.query import ItemsQuery

# numberMatched is given up to this many (counting further costs more than a page).
MATCHED_COUNT_CAP = 100_000
# The far ends of an open ``datetime`` interval (the period test takes two dates).
_EARLIEST, _LATEST = date(1, 1, 1), date(9999, 12, 31)


class QueryTooSlow(DomainError):
    """A query cut by the statement timeout (a filter that scans too much)."""

    code = "query_too_slow"


@dataclass(frozen=True)
class ItemsPage:
    """One page: the features as GeoJSON text (comma-joined), how many, whether more
    follow, the id of its last feature, and how many match (None on a page reached by the
    ``after`` cursor, or beyond ``MATCHED_COUNT_CAP``: counting a million rows for every
    page would cost more than the page)."""

    features_json: str
    returned: int
    more: bool
    last_id: int | None
    matched: int | None


def _conditions(
    layer: CatalogueLayer, query: ItemsQuery, *, after: bool = False
) -> tuple[str, list]:
    conditions: list[str] = []
    params: list = []
    if after and query.after_id is not None:
        conditions.append(f"{layer.source.id} > %s")
        params.append(query.after_id)
    if query.bbox_4490 is not None:
        condition, times = bbox_condition(layer)
        conditions.append(condition)
        params.extend(list(query.bbox_4490) * times)
    if query.filter is not None:
        conditions.append(query.filter.sql)
        params.extend(query.filter.params)
    if query.period is None:
        return rows_where(layer, *conditions), params
    start, end = query.period
    # In force at some time of [start, end]: begun by its end, not ended by its start.
    params.extend([end or _LATEST, start or _EARLIEST])
    assert period_condition(layer)  # the parser refused datetime on a layer without one
    return rows_where(layer, *conditions, as_of=True), params


def _run(statements: list[tuple[str, list]]) -> list[tuple]:
    """Run ``statements`` in one transaction under the OGC statement timeout; return the
    first row of each."""
    timeout_ms = int(settings.OGC_STATEMENT_TIMEOUT_MS)
    rows = []
    # Local to the transaction, so it ends with it; a caller already inside one (a test, a
    # management command) gets its own value back, where it would otherwise last.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT current_setting('statement_timeout'), "
                "set_config('statement_timeout', %s, true)",
                [f"{timeout_ms}ms"],
            )
            previous = cur.fetchone()[0]
            for sql, params in statements:
                cur.execute(sql, params)
                rows.append(cur.fetchone())
            if nested:
                cur.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as exc:
        if isinstance(exc.__cause__, pg_errors.QueryCanceled):
            raise QueryTooSlow(
                f"查询超过 {timeout_ms / 1000:g} 秒仍未完成，已中止：筛选条件需要扫描的要素太多"
                "（如对非索引属性的 LIKE '%…'）；请加 bbox 或更具体的条件"
            ) from None
        raise
    return rows


def items_page(layer: CatalogueLayer, query: ItemsQuery, *, labels: bool = True) -> ItemsPage:
    """Return one page of ``layer``'s features as ``query`` asks (ordered by id)."""
    crs = query.crs
    feature = feature_text_in_crs_sql(
        layer,
        query.fields,
        labels=labels,
        srid=crs.srid,
        flip_axes=crs.flip,
        decimals=crs.decimals,
    )
    source = layer.source
    where, params = _conditions(layer, query, after=True)
    offset = 0 if query.after_id is not None else query.offset
    counted = ""
    count_params: list = []
    if query.after_id is None:
        # Counted up to a cap in the same statement (one round trip): numberMatched is
        # optional in OGC API Features, and counting a million rows on a first page would
        # cost more than the page.
        count_where, count_params = _conditions(layer, query)
        counted = (
            f", (SELECT count(*) FROM (SELECT 1 FROM {source.table} {count_where} "  # noqa: S608
            "LIMIT %s) capped)"
        )
        count_params = [*count_params, MATCHED_COUNT_CAP + 1]
    else:
        counted = ", NULL::bigint"
    if offset == 0:
        # The first page or one reached by the ``after`` cursor: one pass in key order, the
        # feature text built for the page's rows only (one more than asked: is there a
        # next page?).
        page_sql = (
            "SELECT coalesce(string_agg(f, ',' ORDER BY fid) FILTER (WHERE n <= %s), ''), "  # noqa: S608
            f"count(*) FILTER (WHERE n <= %s), max(fid) FILTER (WHERE n <= %s), count(*){counted} "
            f"FROM (SELECT {feature} AS f, {source.id} AS fid, "
            f"row_number() OVER (ORDER BY {source.id}) AS n FROM {source.table} {where} "
            f"ORDER BY {source.id} LIMIT %s) page"
        )
        statement = (
            page_sql,
            [query.limit] * 3 + count_params + [*params, query.limit + 1],
        )
    else:
        # The page's ids first, then the features of those ids only, looked up by the key:
        # rows skipped by OFFSET never get a feature built, and the feature query never
        # scans the table (an IN (subquery) would hash it).
        page_sql = (
            f"WITH ids AS MATERIALIZED (SELECT {source.id} AS fid FROM {source.table} {where} "  # noqa: S608
            f"ORDER BY {source.id} LIMIT %s OFFSET %s), "
            "page AS (SELECT fid FROM ids ORDER BY fid LIMIT %s) "
            "SELECT coalesce(string_agg(f, ',' ORDER BY fid), ''), count(*), max(fid), "
            f"(SELECT count(*) FROM ids){counted} FROM ("
            f"SELECT {feature} AS f, {source.id} AS fid FROM {source.table} "
            f"WHERE {source.id} = ANY(ARRAY(SELECT fid FROM page))) features"
        )
        statement = (page_sql, [*params, query.limit + 1, offset, query.limit, *count_params])
    [row] = _run([statement])
    text, returned, last_id, fetched, matched = row
    return ItemsPage(
        features_json=text,
        returned=returned,
        more=fetched > query.limit,
        last_id=last_id,
        matched=None if matched is None or matched > MATCHED_COUNT_CAP else matched,
    )


def item_feature(
    layer: CatalogueLayer, item_id: int, *, fields: tuple[Field, ...], crs: ServedCrs
) -> str:
    """Return one feature of ``layer`` as GeoJSON text, or raise the 404 of a missing one."""
    feature = feature_text_in_crs_sql(
        layer, fields, labels=True, srid=crs.srid, flip_axes=crs.flip, decimals=crs.decimals
    )
    source = layer.source
    where = rows_where(layer, f"{source.id} = %s")
    # The rows the items list holds (current ones): a feature not listed is not found.
    sql = f"SELECT {feature} FROM {source.table} {where}"  # noqa: S608
    [row] = _run([(sql, [item_id])])
    if row is None:
        raise NotFound(f"图层 {layer.label} 没有编号为 {item_id} 的要素")
    return row[0]


def shared_usage_record(*, user, auth, collection: str, request_kind: str, features: int) -> None:
    """Record that an account read ``features`` features of ``collection`` (anonymous
    reads are not recorded: there is no account to hold them to)."""
    if not user or not user.is_authenticated:
        return
    key = getattr(auth, "token_key", "") or ""
    SharedUsage.objects.create(
        user=user,
        username=user.get_username(),
        key_start=key[:6],
        collection=collection,
        request_kind=request_kind,
        features=features,
    )
