/** The step image's Dockerfile: Node 20 slim, packages from the lockfile, non-root. Paths match container.ts. */
import { IMAGE_LAYOUT, SHARED_STORAGE } from '../container.js';

export const BASE_IMAGE = 'node:20-bookworm-slim';

export function dockerfile(pipelineName: string): string {
  return `# Step image for the Stillwater pipeline ${JSON.stringify(pipelineName)} (written by \`stillwater image\`).
# Every step runs as: node ${IMAGE_LAYOUT.pipeline}/steps/<step>.mjs --in … --out … --param … (STEP-CONTRACT.md)
FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY pipeline ./pipeline
RUN mkdir -p ${IMAGE_LAYOUT.workdir} ${SHARED_STORAGE.mountPath} && chown 1000:1000 ${IMAGE_LAYOUT.workdir} ${SHARED_STORAGE.mountPath}
# The base image's "node" user, by number so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
WORKDIR ${IMAGE_LAYOUT.workdir}
ENV STILLWATER_LAKEHOUSE_ROOT=${SHARED_STORAGE.lakehouseRoot}
`;
}
