#!/usr/bin/env bash
# `npm run lab`: JupyterLab 4.6 from the repository's venv, opened on examples/, with the
# Stillwater extension and the tslab kernel installed (scripts/provision.sh links both
# into the venv). Extra arguments go to `jupyter lab` (e.g. --port=9999 --no-browser).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/provision.sh
# Notebooks import the built @stillwater/kernel; the extension must be built to load.
if [ ! -f kernel-lib/dist/index.js ] || [ ! -f extension/labextension/package.json ]; then
  npm run build
fi
extra=()
# Containers and CI machines often run as root, which Jupyter refuses without this.
[ "$(id -u)" = 0 ] && extra+=(--ServerApp.allow_root=True)
exec .venv/bin/jupyter lab \
  --ServerApp.root_dir="$(pwd)/examples" \
  --MappingKernelManager.default_kernel_name=tslab \
  "${extra[@]}" \
  "$@"
