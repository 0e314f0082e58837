-- CreateTable
CREATE TABLE "Collector" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "intervalSeconds" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL,
    "stoppedAt" DATETIME,
    "owned" INTEGER NOT NULL DEFAULT 0,
    "lastCycleAt" DATETIME,
    "lastCycle" TEXT
);

-- CreateTable
CREATE TABLE "ClusterOwner" (
    "clusterId" TEXT NOT NULL PRIMARY KEY,
    "collectorId" TEXT NOT NULL,
    "collectorName" TEXT NOT NULL,
    "since" DATETIME NOT NULL,
    "releasedAt" DATETIME,
    "firstProbeAt" DATETIME,
    CONSTRAINT "ClusterOwner_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CollectorTakeover" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "previousCollectorId" TEXT NOT NULL,
    "previousCollector" TEXT NOT NULL,
    "newCollectorId" TEXT NOT NULL,
    "newCollector" TEXT NOT NULL,
    "previousHeartbeatAt" DATETIME,
    "releasedAt" DATETIME,
    "acquiredAt" DATETIME NOT NULL,
    "gapMs" INTEGER,
    "lastSampleAt" DATETIME,
    "firstProbeAt" DATETIME,
    "probeGapMs" INTEGER,
    "dedupeKey" TEXT NOT NULL,
    CONSTRAINT "CollectorTakeover_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Collector_heartbeatAt_idx" ON "Collector"("heartbeatAt");

-- CreateIndex
CREATE INDEX "ClusterOwner_collectorId_idx" ON "ClusterOwner"("collectorId");

-- CreateIndex
CREATE UNIQUE INDEX "CollectorTakeover_dedupeKey_key" ON "CollectorTakeover"("dedupeKey");

-- CreateIndex
CREATE INDEX "CollectorTakeover_acquiredAt_idx" ON "CollectorTakeover"("acquiredAt");

-- CreateIndex
CREATE INDEX "CollectorTakeover_clusterId_acquiredAt_idx" ON "CollectorTakeover"("clusterId", "acquiredAt");
