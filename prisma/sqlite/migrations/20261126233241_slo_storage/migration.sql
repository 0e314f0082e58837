-- CreateTable
CREATE TABLE "Series" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" TEXT NOT NULL,
    "probe" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "lastAtMs" BIGINT NOT NULL,
    "lastStatus" TEXT NOT NULL,
    "openStartMs" BIGINT NOT NULL,
    "openReason" TEXT NOT NULL,
    "openSamples" INTEGER NOT NULL,
    "capMs" INTEGER NOT NULL,
    CONSTRAINT "Series_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StatusInterval" (
    "seriesId" INTEGER NOT NULL,
    "startMs" BIGINT NOT NULL,
    "endMs" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "samples" INTEGER NOT NULL,

    PRIMARY KEY ("seriesId", "startMs"),
    CONSTRAINT "StatusInterval_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RollupHour" (
    "bucketStartMs" BIGINT NOT NULL,
    "seriesId" INTEGER NOT NULL,
    "goodMs" INTEGER NOT NULL,
    "badMs" INTEGER NOT NULL,
    "unknownMs" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "badSamples" INTEGER NOT NULL,
    "latencyCount" INTEGER NOT NULL,
    "latencySumMs" BIGINT NOT NULL,
    "latencyMinMs" INTEGER,
    "latencyMaxMs" INTEGER,

    PRIMARY KEY ("bucketStartMs", "seriesId"),
    CONSTRAINT "RollupHour_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RollupDay" (
    "bucketStartMs" BIGINT NOT NULL,
    "seriesId" INTEGER NOT NULL,
    "goodMs" INTEGER NOT NULL,
    "badMs" INTEGER NOT NULL,
    "unknownMs" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "badSamples" INTEGER NOT NULL,
    "latencyCount" INTEGER NOT NULL,
    "latencySumMs" BIGINT NOT NULL,
    "latencyMinMs" INTEGER,
    "latencyMaxMs" INTEGER,

    PRIMARY KEY ("bucketStartMs", "seriesId"),
    CONSTRAINT "RollupDay_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SloPolicy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "component" TEXT NOT NULL DEFAULT '*',
    "objective" REAL NOT NULL,
    "window" TEXT NOT NULL DEFAULT 'rolling30d',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SloPolicy_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MaintenanceWindow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT,
    "title" TEXT NOT NULL,
    "startMs" BIGINT NOT NULL,
    "durationMs" BIGINT NOT NULL,
    "recurrence" TEXT NOT NULL DEFAULT 'none',
    "untilMs" BIGINT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MaintenanceWindow_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Series_clusterId_probe_target_key" ON "Series"("clusterId", "probe", "target");

-- CreateIndex
CREATE INDEX "StatusInterval_seriesId_endMs_idx" ON "StatusInterval"("seriesId", "endMs");

-- CreateIndex
CREATE UNIQUE INDEX "SloPolicy_clusterId_component_key" ON "SloPolicy"("clusterId", "component");

-- CreateIndex
CREATE INDEX "MaintenanceWindow_clusterId_idx" ON "MaintenanceWindow"("clusterId");
