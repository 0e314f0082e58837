-- CreateTable
CREATE TABLE "RollupMinute" (
    "bucketStartMs" BIGINT NOT NULL,
    "seriesId" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "badSamples" INTEGER NOT NULL,
    "degradedSamples" INTEGER NOT NULL,
    "unknownSamples" INTEGER NOT NULL,
    "latencyCount" INTEGER NOT NULL,
    "latencySumMs" BIGINT NOT NULL,
    "latencyMinMs" INTEGER,
    "latencyMaxMs" INTEGER,

    PRIMARY KEY ("bucketStartMs", "seriesId"),
    CONSTRAINT "RollupMinute_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Series" (
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
    "lastReason" TEXT NOT NULL DEFAULT '',
    "lastDetail" TEXT,
    "lastLatencyMs" INTEGER,
    CONSTRAINT "Series_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Series" ("capMs", "clusterId", "id", "lastAtMs", "lastStatus", "openReason", "openSamples", "openStartMs", "probe", "target") SELECT "capMs", "clusterId", "id", "lastAtMs", "lastStatus", "openReason", "openSamples", "openStartMs", "probe", "target" FROM "Series";
DROP TABLE "Series";
ALTER TABLE "new_Series" RENAME TO "Series";
CREATE UNIQUE INDEX "Series_clusterId_probe_target_key" ON "Series"("clusterId", "probe", "target");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Backfill (issue 16): the cursor keeps its last sample exactly. Its reason, detail and latency come
-- from the latest raw row of the series (the first one written at that time: a later row with the
-- same time was a late duplicate, never rolled up), and a series without raw rows keeps its open
-- interval's first reason, which equals the last one with digits masked.
UPDATE "Series" SET "lastReason" = "openReason";
UPDATE "Series" SET ("lastReason", "lastDetail", "lastLatencyMs") = (
  SELECT s."reason", s."detail", s."latencyMs" FROM "Sample" s
  WHERE s."clusterId" = "Series"."clusterId" AND s."probe" = "Series"."probe" AND s."target" = "Series"."target"
  ORDER BY s."at" DESC, s."id" ASC LIMIT 1
)
WHERE EXISTS (
  SELECT 1 FROM "Sample" s WHERE s."clusterId" = "Series"."clusterId" AND s."probe" = "Series"."probe" AND s."target" = "Series"."target"
);
