# The two commands of the README. Each provisions what is missing first (idempotent).
.PHONY: run test lint bench bench-smoke backup restore db-start db-stop

PORT ?= 8000

run:
	scripts/provision.sh hegang
	scripts/run.sh

test:
	scripts/provision.sh --browser hegang
	scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/mypy

bench:
	scripts/provision.sh hegang_bench
	DATABASE_URL=$${DATABASE_URL:-postgis://hegang@127.0.0.1:$${LOCAL_PG_PORT:-54329}/hegang_bench} \
	  .venv/bin/python -m bench.run $(BENCH)

# Every benchmark on tiny data sets in a throwaway database (part of `make test`).
bench-smoke:
	scripts/provision.sh hegang
	.venv/bin/python -m bench.run --smoke $(BENCH)

# The database and the uploaded files in one checksummed archive (OUT: a file or a folder,
# default backups/); restore refuses a damaged archive and a non-empty target unless FORCE=1.
backup:
	scripts/backup.sh $(OUT)

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/….tar [FORCE=1]" >&2; exit 2; }
	FORCE=$(FORCE) scripts/restore.sh $(FILE)

db-start:
	scripts/pg.sh start

db-stop:
	scripts/pg.sh stop
