"""Django's PostGIS backend, health-checking a kept-alive connection only after it sat idle.

With CONN_HEALTH_CHECKS Django sends ``SELECT 1`` before the first query of *every*
request on a reused connection. On the public lookups, which answer in one or two
statements, that was a third to a half of the round trips (profile of issue 12: areas/at,
reverse, tiles). A connection that served a request less than HEALTH_CHECK_AFTER_IDLE_S ago
is trusted instead; one that sat idle longer — where a database restart, a failover or a
firewall's idle timeout would have cut it — is still checked first. If the server goes
away within that second, the request that finds out fails and Django closes the
connection at its end (``errors_occurred``), as it would without health checks.
"""

from __future__ import annotations

import time

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper

# The default of the database setting HEALTH_CHECK_AFTER_IDLE_S (environment:
# DATABASE_HEALTH_CHECK_IDLE_S); 0 checks before every request, as stock Django does.
HEALTH_CHECK_AFTER_IDLE_S = 1.0


class DatabaseWrapper(PostGISDatabaseWrapper):
    _request_boundary_at = float("-inf")

    def close_if_unusable_or_obsolete(self) -> None:
        # Called at the start and at the end of each request (Django's request signals):
        # the gap since the previous call is how long the connection sat idle.
        now = time.monotonic()
        idle_s = self.settings_dict.get("HEALTH_CHECK_AFTER_IDLE_S", HEALTH_CHECK_AFTER_IDLE_S)
        recently_used = now - self._request_boundary_at < idle_s
        self._request_boundary_at = now
        super().close_if_unusable_or_obsolete()  # marks a kept connection as unchecked
        if recently_used and self.connection is not None:
            self.health_check_done = True
