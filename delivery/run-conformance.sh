#!/usr/bin/env bash
# Runs the TUF conformance suite against `ward tuf-client`.
#   delivery/run-conformance.sh PATH_TO_TUF_CONFORMANCE_CHECKOUT [pytest args...]
# Needs: a built ward (WARD, default target/debug/ward), python3 with tuf,
# securesystemslib[crypto] and pytest, and faketime (Debian `faketime`). Not part of CI:
# CI cannot fetch the suite. The checkout is only read (no cache, no bytecode written).
set -euo pipefail
suite=${1:?usage: run-conformance.sh SUITE_CHECKOUT [pytest args...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
export WARD=${WARD:-$here/../target/debug/ward}
export PYTHONPATH="$suite${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
cd "$here"
exec python3 -m pytest -p no:cacheprovider -q "$suite/tuf_conformance" \
    --entrypoint "$here/conformance" "$@"
