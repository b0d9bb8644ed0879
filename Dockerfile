# markread: the Slack app (npm start). Build: docker build -t markread .  Run: docker run --env-file .env -p 3000:3000 markread
# Stage 1 builds and packs exactly what `npm pack` ships; stage 2 installs that with production dependencies only.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm pack --ignore-scripts --pack-destination /tmp/pkg

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /tmp/pkg/ /tmp/pkg/
COPY --from=build /src/package-lock.json ./
RUN tar -xzf /tmp/pkg/markread-*.tgz --strip-components=1 \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf /tmp/pkg /root/.npm \
 && chown -R node:node /app
USER node
EXPOSE 3000
# 200 only while markread can receive commands (see README, "When things go wrong"); /livez is the liveness probe.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains for MARKREAD_DRAIN_MS (20 s), then tells requesters what was interrupted: give it 30 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
