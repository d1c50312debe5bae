#!/usr/bin/env bash
# Installs what the tests need and the machine may lack, idempotently:
#   - Debian packages: chromium (browser tests), python3-xgboost (native XGBoost reference)
#   - .venv: JupyterLab 4.6, nbclient, pyarrow and ray (the Ray engine's cluster) from the local package index
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in chromium python3-xgboost; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "provision: installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

VENV=.venv
PY_PACKAGES=(jupyterlab==4.6.4 nbclient pyarrow pandas scikit-learn hatchling ray)
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import jupyterlab, nbclient, pyarrow, sklearn, hatchling, ray" 2>/dev/null; then
  echo "provision: creating $VENV (${PY_PACKAGES[*]})"
  # Use the machine's configured local package index directly: leaving the
  # unreachable default index in place makes pip retry it for minutes.
  index_urls=$(pip config get global.extra-index-url 2>/dev/null || true)
  find_links=$(pip config get global.find-links 2>/dev/null || true)
  pip_args=()
  first=1
  for url in $index_urls; do
    # Skip file:// indexes that are not present on this machine (pip warns per package).
    case "$url" in file://*) [ -d "${url#file://}" ] || continue ;; esac
    if [ $first = 1 ]; then pip_args+=(--index-url "$url"); first=0; else pip_args+=(--extra-index-url "$url"); fi
  done
  [ -n "$find_links" ] && pip_args+=(--find-links "$find_links")
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "${pip_args[@]}" "${PY_PACKAGES[@]}"
fi

# The tslab kernel spec, inside the venv so tests and `npm run lab` find it
# without touching the user's own Jupyter data directory.
KERNEL_DIR="$VENV/share/jupyter/kernels/tslab"
TSLAB_BIN="$(pwd)/node_modules/tslab/bin/tslab"
if [ ! -f "$KERNEL_DIR/kernel.json" ] || ! grep -q "$TSLAB_BIN" "$KERNEL_DIR/kernel.json"; then
  mkdir -p "$KERNEL_DIR"
  cat > "$KERNEL_DIR/kernel.json" <<JSON
{
  "argv": ["$(command -v node)", "$TSLAB_BIN", "kernel", "--config-path", "{connection_file}"],
  "display_name": "TypeScript (tslab)",
  "language": "typescript"
}
JSON
fi

# JupyterLab for the browser tests and `npm run lab`: the prebuilt Stillwater extension
# (extension/labextension, built by `npm run build`) linked into the venv, and the two
# stock plugins that make noise without a debugger-capable kernel or internet turned off.
# The repo's package.json says "type": "module"; without this, Node treats JupyterLab's
# bundled yarn.js inside the venv as ESM and `jupyter labextension` prints a crash.
[ -f "$VENV/package.json" ] || echo '{ "type": "commonjs" }' > "$VENV/package.json"
mkdir -p "$VENV/share/jupyter/labextensions/@stillwater"
ln -sfn "$(pwd)/extension/labextension" "$VENV/share/jupyter/labextensions/@stillwater/jupyterlab"
"$VENV/bin/jupyter" labextension disable --level=sys_prefix "@jupyterlab/debugger-extension" "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
