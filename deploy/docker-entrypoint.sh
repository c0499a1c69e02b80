#!/bin/sh
# One image, every process: the first argument names it. `exec` replaces this shell, so node
# receives the runtime's SIGTERM itself and runs its graceful shutdown.
set -eu

usage() {
  echo "usage: docker run IMAGE gateway|ticket|reservation|price|migrate|token [args…]" >&2
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
  ticket | reservation | price)
    exec node --import tsx "subgraphs/$command/main.ts" "$@" ;;
  # Schema changes are applied only here, as a one-shot job before the subgraphs roll out,
  # never by the long-running processes (MIGRATE_ON_START stays false in containers).
  migrate)
    exec node --import tsx scripts/prisma.ts migrate deploy "$@" ;;
  token)
    exec node --import tsx scripts/token.ts "$@" ;;
  -h | --help | help)
    usage ;;
  *)
    exec "$command" "$@" ;;
esac
