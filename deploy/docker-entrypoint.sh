#!/bin/sh
# One image, every process: the first argument names it. `exec` replaces this shell, so node
# receives the runtime's SIGTERM itself and runs its graceful shutdown.
set -eu

usage() {
  echo "usage: docker run IMAGE gateway|ticket|reservation|price|view|migrate|wait-for-migrations|token [args…]" >&2
  echo "       (anything else is run as a command, e.g. sh)" >&2
}

if [ "$#" -eq 0 ]; then
  usage
  exit 64
fi

command="$1"
shift
case "$command" in
  gateway)
    exec node --import tsx gateway/main.ts "$@" ;;
  ticket | reservation | price | view)
    exec node --import tsx "subgraphs/$command/main.ts" "$@" ;;
  # Schema changes are applied only here, as a one-shot job before the subgraphs roll out,
  # never by the long-running processes (MIGRATE_ON_START stays false in containers).
  migrate)
    exec node --import tsx scripts/prisma.ts migrate deploy "$@" ;;
  # For an init container: returns once every migration is applied (the migrate job is done),
  # so a subgraph never starts against a schema older than its code.
  wait-for-migrations)
    until node --import tsx scripts/prisma.ts migrate status >/dev/null 2>&1; do
      echo "waiting for the database migrations (the migrate job)"
      sleep 5
    done ;;
  token)
    exec node --import tsx scripts/token.ts "$@" ;;
  -h | --help | help)
    usage ;;
  *)
    exec "$command" "$@" ;;
esac
