-- CreateTable
CREATE TABLE "Collector" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "intervalSeconds" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "stoppedAt" TIMESTAMP(3),
    "owned" INTEGER NOT NULL DEFAULT 0,
    "lastCycleAt" TIMESTAMP(3),
    "lastCycle" TEXT,

    CONSTRAINT "Collector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterOwner" (
    "clusterId" TEXT NOT NULL,
    "collectorId" TEXT NOT NULL,
    "collectorName" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "releasedAt" TIMESTAMP(3),
    "firstProbeAt" TIMESTAMP(3),

    CONSTRAINT "ClusterOwner_pkey" PRIMARY KEY ("clusterId")
);

-- CreateTable
CREATE TABLE "CollectorTakeover" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "previousCollectorId" TEXT NOT NULL,
    "previousCollector" TEXT NOT NULL,
    "newCollectorId" TEXT NOT NULL,
    "newCollector" TEXT NOT NULL,
    "previousHeartbeatAt" TIMESTAMP(3),
    "releasedAt" TIMESTAMP(3),
    "acquiredAt" TIMESTAMP(3) NOT NULL,
    "gapMs" INTEGER,
    "lastSampleAt" TIMESTAMP(3),
    "firstProbeAt" TIMESTAMP(3),
    "probeGapMs" INTEGER,
    "dedupeKey" TEXT NOT NULL,

    CONSTRAINT "CollectorTakeover_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "ClusterOwner" ADD CONSTRAINT "ClusterOwner_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CollectorTakeover" ADD CONSTRAINT "CollectorTakeover_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
