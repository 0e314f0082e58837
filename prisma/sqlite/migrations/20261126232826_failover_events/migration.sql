-- CreateTable
CREATE TABLE "FailoverEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" TEXT NOT NULL,
    "lease" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "previousHolder" TEXT NOT NULL,
    "newHolder" TEXT NOT NULL,
    "previousRenewTime" TEXT,
    "newAcquireTime" TEXT,
    "gapMs" REAL,
    "leaseDurationSeconds" INTEGER,
    "leaseTransitions" INTEGER,
    "at" DATETIME NOT NULL,
    "observedAt" DATETIME NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    CONSTRAINT "FailoverEvent_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LeaseWatchGap" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    CONSTRAINT "LeaseWatchGap_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "FailoverEvent_dedupeKey_key" ON "FailoverEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "FailoverEvent_clusterId_at_idx" ON "FailoverEvent"("clusterId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "LeaseWatchGap_dedupeKey_key" ON "LeaseWatchGap"("dedupeKey");

-- CreateIndex
CREATE INDEX "LeaseWatchGap_clusterId_startedAt_idx" ON "LeaseWatchGap"("clusterId", "startedAt");
