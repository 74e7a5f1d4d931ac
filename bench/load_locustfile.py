"""Locust users of bench/bench_load.py; run by it as ``python -m locust -f …`` in a subprocess.

Not imported by the bench runner (its name does not start with ``bench_``): locust patches
the process with gevent on import, which the Django process of the runner must not get.

The scenario comes from the JSON file named by LOAD_SCENARIO, written by bench_load:

* ``public``: anonymous lookups drawn from the demo data (``queries``: path lists per kind,
  ``weights``: how often each kind is asked).
* ``editors``: officers saving door plates with If-Match (``tokens``: one API key per
  editor, ``plates``: the shared plate ids). Every answer is appended to LOAD_RESULTS as one
  JSON line, so the bench can check afterwards that no accepted save was lost.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from urllib.parse import urlsplit

from locust import FastHttpUser, constant, events, task

SCENARIO = json.loads(open(os.environ["LOAD_SCENARIO"], encoding="utf-8").read())  # noqa: SIM115
_results: list[dict] = []


@events.init.add_listener
def _loopback_only(environment, **kwargs) -> None:
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"the load generator targets 127.0.0.1 only, not {host!r}")


@events.quitting.add_listener
def _write_results(environment, **kwargs) -> None:
    if _results:
        with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as out:
            for row in _results:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


if SCENARIO["kind"] == "public":

    class PublicUser(FastHttpUser):
        """A visitor of the public map: searches, autocompletes, looks up, pans the map."""

        wait_time = constant(0)  # closed loop: each user asks again at once

        def on_start(self) -> None:
            self.rng = random.Random(id(self))
            self.kinds = list(SCENARIO["weights"])
            self.cum = list(itertools.accumulate(SCENARIO["weights"][k] for k in self.kinds))

        @task
        def lookup(self) -> None:
            kind = self.rng.choices(self.kinds, cum_weights=self.cum)[0]
            path = self.rng.choice(SCENARIO["queries"][kind])
            headers = {"Accept-Encoding": "gzip"} if kind == "tiles" else {}
            self.client.get(path, name=kind, headers=headers)

else:

    class Editor(FastHttpUser):
        """An officer saving door plates of his district; conflicts are expected, not errors."""

        wait_time = constant(0)
        _ids = itertools.count()

        def on_start(self) -> None:
            self.editor = next(self._ids)
            self.token = SCENARIO["tokens"][self.editor % len(SCENARIO["tokens"])]
            self.rng = random.Random(self.editor)
            self.seq = 0

        @task
        def save(self) -> None:
            plate = self.rng.choice(SCENARIO["plates"])
            url = f"/api/v1/editing/door-plates/{plate}"
            auth = {"Authorization": f"Token {self.token}"}
            with self.client.get(url, headers=auth, name="read", catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"read {r.status_code}")
                    return
                etag = r.headers["ETag"]
            self.seq += 1
            marker = f"L{self.editor}-{self.seq}"  # building ≤ 20 characters, unique per save
            body = json.dumps({"building": marker, "comment": "并发编辑基准"})
            with self.client.patch(
                url,
                data=body,
                headers={**auth, "If-Match": etag, "Content-Type": "application/json"},
                name="save",
                catch_response=True,
            ) as r:
                row = {"plate": plate, "marker": marker, "if_match": etag, "status": r.status_code}
                if r.status_code == 200:
                    row["etag"] = r.headers.get("ETag")
                    r.success()
                elif r.status_code in (409, 412):
                    r.success()  # a refused stale save: what optimistic locking is for
                else:
                    r.failure(f"save {r.status_code}: {(r.text or '')[:200]}")
                _results.append(row)
