# The two commands (README.md): `make run` serves the demo, `make test`
# runs every check CI runs. Both install what is missing first.
.PHONY: run test setup sqlx-prepare dev

run:
	@scripts/run.sh

test:
	@scripts/test.sh

setup:
	@scripts/setup.sh

sqlx-prepare:
	@scripts/sqlx-prepare.sh
