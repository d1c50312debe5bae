#!/usr/bin/env bash
# The one test command (README: `npm test`). Provisions what the tests need when
# it is missing, builds, type-checks, lints, then runs the unit/integration
# suites and the browser end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci
bash scripts/provision.sh
npm run build
npm run typecheck
npm run lint
npx vitest run
npx vitest run --config tests/integration/ray/vitest.config.ts  # Ray engine: real clusters, alone
npx vitest run --config tests/e2e/vitest.config.ts  # browser e2e: real JupyterLab + tslab + chromium
