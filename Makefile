# The two commands of the README. Each provisions what is missing first (idempotent).
.PHONY: run test lint bench bench-smoke db-start db-stop

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

bench:
	scripts/provision.sh hegang_bench
	DATABASE_URL=$${DATABASE_URL:-postgis://hegang@127.0.0.1:$${LOCAL_PG_PORT:-54329}/hegang_bench} \
	  .venv/bin/python -m bench.run $(BENCH)

# Every benchmark on tiny data sets in a throwaway database (part of `make test`).
bench-smoke:
	scripts/provision.sh hegang
	.venv/bin/python -m bench.run --smoke $(BENCH)

db-start:
	scripts/pg.sh start

db-stop:
	scripts/pg.sh stop
