"""Limits on heavy work (exports, reports, coverage): per-client rates and shared slots.

Both limits hold across every server process because both live in PostgreSQL:

* **Rates** — a fixed-window counter per (scope, client) in ``ThrottleCounter``, bumped by
  one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (no read-then-write race, one
  round trip, a table made by a migration). A fixed window lets a client spend up to twice
  its rate across a window boundary; for hour-long windows on multi-second work that is
  an acceptable approximation.
* **Slots** — at most ``HEAVY_WORK_SLOTS[pool]`` heavy requests run at once, each holding a
  session-level advisory lock ``(ADVISORY_CLASS_ID, slot)``. A request that finds every slot
  taken is refused at once (503 with Retry-After) instead of queueing behind the others and
  holding a server thread. A lock dies with its connection, so a killed worker frees its slot.

Anonymous clients are keyed by address (IPv6 by its /64, which one host usually holds whole);
signed-in users by account, with their own rates (none by default) and their own slot pool,
so a flood of anonymous exports never keeps an officer from a report.
"""

from __future__ import annotations

import ipaddress
import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

from gis_portal.client_address import request_client_address
from gis_portal.limits import refusal_response
from gis_portal.models import ThrottleCounter

# The first key of every heavy-work advisory lock: the city code, recognisable in pg_locks.
# (Two-key advisory locks never collide with the one-key hashtext() locks used elsewhere.)
ADVISORY_CLASS_ID = 230400
POOL_OFFSETS = {"anon": 0, "user": 1000}
# A slot is usually free again within one export (~5 s).
BUSY_RETRY_AFTER_S = 5
# Counters of windows that ended a day ago are deleted every this many hits of a process.
PRUNE_EVERY_HITS = 1000

PERIODS_S = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
             "hour": 3600, "d": 86_400, "day": 86_400}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    requests: int
    period_s: int


@lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate | None:
    """Return the rate of ``"N/period"`` (period s, min, hour or day); None for "" (no limit)."""
    text = text.strip()
    if not text or text.lower() == "none":
        return None
    count, _, period = text.partition("/")
    if not count.strip().isdigit() or period.strip().lower() not in PERIODS_S:
        raise ImproperlyConfigured(f"限流速率 {text!r} 应写作 次数/周期，如 20/hour")
    return Rate(requests=int(count), period_s=PERIODS_S[period.strip().lower()])


@dataclass(frozen=True)
class Client:
    key: str
    pool: str  # "anon" or "user"


def client_of(request: HttpRequest) -> Client:
    """Return who is asking: the account when signed in, else the address (IPv6 by /64)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Client(key=f"user:{user.pk}", pool="user")
    # The login lockout's rule: X-Forwarded-For is believed only from TRUSTED_PROXIES.
    return Client(key=address_key(request_client_address(request) or ""), pool="anon")


def address_key(ident: str) -> str:
    """Return the counter key of a client address: IPv6 by its /64, IPv4 (or mapped) whole."""
    try:
        address = ipaddress.ip_address(ident)
    except ValueError:
        return f"ip:{ident[:100]}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.ip_network((address, 64), strict=False)}"
    return f"ip:{address}"


_UPSERT = f"""
    INSERT INTO {ThrottleCounter._meta.db_table} AS c (key, window_start, hits)
    VALUES (%(key)s, %(window_start)s, 1)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + 1 ELSE 1 END,
        window_start = EXCLUDED.window_start
    RETURNING hits
"""  # noqa: S608 — the table name is the model's, the values are parameters
_PRUNE = (
    f"DELETE FROM {ThrottleCounter._meta.db_table} WHERE window_start < now() - interval '1 day'"  # noqa: S608
)
_hits_in_process = itertools.count(1)


def rate_hit(*, scope: str, client: Client, rate: Rate) -> int | None:
    """Count one request; return the seconds to wait if it is over the rate, else None."""
    now = time.time()
    window_start_s = int(now // rate.period_s) * rate.period_s
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT,
            {
                "key": f"{scope}:{client.key}",
                "window_start": datetime.fromtimestamp(window_start_s, tz=UTC),
            },
        )
        (hits,) = cursor.fetchone()
        if next(_hits_in_process) % PRUNE_EVERY_HITS == 0:
            cursor.execute(_PRUNE)
    if hits <= rate.requests:
        return None
    return max(1, int(window_start_s + rate.period_s - now + 0.999))


def _slot_ids(pool: str) -> range:
    count = settings.HEAVY_WORK_SLOTS[pool]
    return range(POOL_OFFSETS[pool], POOL_OFFSETS[pool] + count)


@contextmanager
def heavy_slot(pool: str) -> Iterator[int | None]:
    """Hold a free heavy-work slot of ``pool`` while the block runs; yield None if all are taken."""
    taken = None
    with connection.cursor() as cursor:
        for slot in _slot_ids(pool):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_CLASS_ID, slot])
            if cursor.fetchone()[0]:
                taken = slot
                break
    try:
        yield taken
    finally:
        if taken is not None:
            _slot_release(taken)


def _slot_release(slot: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_CLASS_ID, slot])
    except DatabaseError:
        # The connection is broken or its transaction aborted: closing it frees the lock.
        connection.close()
        raise


def heavy_work(scope: str) -> Callable:
    """Decorate a view whose work takes seconds: rate-limit its clients, run it in a slot.

    ``scope`` names a row of settings.THROTTLE_RATES. On a DRF view, apply it to the method
    with ``method_decorator`` so that token users are known by the time it runs.
    """
    if scope not in settings.THROTTLE_RATES:
        raise ImproperlyConfigured(f"THROTTLE_RATES 中没有限流范围 {scope!r}")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request, *args, **kwargs) -> HttpResponse:
            client = client_of(request)
            rate = parse_rate(settings.THROTTLE_RATES[scope][client.pool])
            wait_s = None if rate is None else rate_hit(scope=scope, client=client, rate=rate)
            if rate is not None and wait_s is not None:
                return refusal_response(
                    request,
                    status=429,
                    code="throttled",
                    message=f"请求过于频繁：此类导出与统计每个访问者限 {rate.requests} 次/"
                    f"{_period_text(rate.period_s)}，请 {wait_s} 秒后再试；工作人员请登录后使用",
                    retry_after_s=wait_s,
                )
            with heavy_slot(client.pool) as slot:
                if slot is None:
                    return refusal_response(
                        request,
                        status=503,
                        code="busy",
                        message=f"服务器正忙：同时进行的导出与统计已达上限，请 {BUSY_RETRY_AFTER_S} 秒后再试",
                        retry_after_s=BUSY_RETRY_AFTER_S,
                    )
                return view(request, *args, **kwargs)

        return limited

    return decorate


def _period_text(period_s: int) -> str:
    return {1: "秒", 60: "分钟", 3600: "小时", 86_400: "天"}[period_s]
