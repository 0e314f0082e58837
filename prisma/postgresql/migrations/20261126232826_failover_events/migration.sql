-- CreateTable
CREATE TABLE "FailoverEvent" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "lease" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "previousHolder" TEXT NOT NULL,
    "newHolder" TEXT NOT NULL,
    "previousRenewTime" TEXT,
    "newAcquireTime" TEXT,
    "gapMs" DOUBLE PRECISION,
    "leaseDurationSeconds" INTEGER,
    "leaseTransitions" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "dedupeKey" TEXT NOT NULL,

    CONSTRAINT "FailoverEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeaseWatchGap" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,

    CONSTRAINT "LeaseWatchGap_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FailoverEvent_dedupeKey_key" ON "FailoverEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "FailoverEvent_clusterId_at_idx" ON "FailoverEvent"("clusterId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "LeaseWatchGap_dedupeKey_key" ON "LeaseWatchGap"("dedupeKey");

-- CreateIndex
CREATE INDEX "LeaseWatchGap_clusterId_startedAt_idx" ON "LeaseWatchGap"("clusterId", "startedAt");

-- AddForeignKey
ALTER TABLE "FailoverEvent" ADD CONSTRAINT "FailoverEvent_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeaseWatchGap" ADD CONSTRAINT "LeaseWatchGap_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
