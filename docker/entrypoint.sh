#!/usr/bin/env bash
# The image's entry point: one process of the platform per container.
#
#   entrypoint.sh gateway|projects|foundation|talent|transfer|foreign-experts [UVICORN OPTIONS...]
#   entrypoint.sh migrate [DATABASE...]      upgrade the databases (kjt migrate), then exit
#   entrypoint.sh kjt ARGS...                any other kjt command
#   entrypoint.sh --dry-run ROLE [...]       print the command instead of running it
#
# The port is the one the platform's settings name (KJT_PORT for the gateway, KJT_<SERVICE>_PORT for
# a service, else 8000/8101-8105); KJT_HOST is the address to bind (default 0.0.0.0 in a container).
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
}

dry_run=0
if [[ "${1:-}" == "--dry-run" ]]; then
  dry_run=1
  shift
fi
role="${1:-}"
if [[ -z "$role" ]]; then
  usage
  exit 64
fi
shift

# Run from the repository root: the migrations folder and the packages live there.
cd "$(dirname "$(readlink -f "$0")")/.."

run() {
  if [[ "$dry_run" == 1 ]]; then
    printf '%q ' "$@"
    printf '\n'
    exit 0
  fi
  exec "$@"
}

python_bin="${PYTHON:-python}"
kjt_cmd=("$python_bin" -m kjt)

case "$role" in
  gateway)         module=gateway.main;                 port="${KJT_PORT:-8000}" ;;
  projects)        module=services.projects.main;        port="${KJT_PROJECTS_PORT:-8101}" ;;
  foundation)      module=services.foundation.main;      port="${KJT_FOUNDATION_PORT:-8102}" ;;
  talent)          module=services.talent.main;          port="${KJT_TALENT_PORT:-8103}" ;;
  transfer)        module=services.transfer.main;        port="${KJT_TRANSFER_PORT:-8104}" ;;
  foreign-experts|foreign_experts)
                   module=services.foreign_experts.main; port="${KJT_FOREIGN_EXPERTS_PORT:-8105}" ;;
  migrate)         run "${kjt_cmd[@]}" migrate "$@" ;;
  kjt)             run "${kjt_cmd[@]}" "$@" ;;
  -h|--help|help)  usage; exit 0 ;;
  *)
    echo "entrypoint.sh: unknown role '$role'" >&2
    usage
    exit 64
    ;;
esac

log_level="$(printf '%s' "${KJT_LOG_LEVEL:-info}" | tr '[:upper:]' '[:lower:]')"
# Each app writes its own JSON access line, so uvicorn's is off. --proxy-headers stays uvicorn's
# default (trusting only 127.0.0.1); the gateway decides about X-Forwarded-For itself.
run "$python_bin" -m uvicorn "${module}:create_app" --factory \
  --host "${KJT_HOST:-0.0.0.0}" --port "$port" \
  --loop uvloop --http httptools \
  --no-access-log --log-level "$log_level" \
  --timeout-graceful-shutdown 10 \
  "$@"
