-- AlterTable
ALTER TABLE "Series" ADD COLUMN     "lastDetail" TEXT,
ADD COLUMN     "lastLatencyMs" INTEGER,
ADD COLUMN     "lastReason" TEXT NOT NULL DEFAULT '';

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

    CONSTRAINT "RollupMinute_pkey" PRIMARY KEY ("bucketStartMs","seriesId")
);

-- AddForeignKey
ALTER TABLE "RollupMinute" ADD CONSTRAINT "RollupMinute_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

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
