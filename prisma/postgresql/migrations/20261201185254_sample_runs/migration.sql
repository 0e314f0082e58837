-- DropIndex
DROP INDEX "Sample_at_idx";

-- AlterTable
ALTER TABLE "Sample" ADD COLUMN     "runLastAtMs" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "runSamples" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Series" ADD COLUMN     "runSampleId" INTEGER,
ADD COLUMN     "runSamples" INTEGER NOT NULL DEFAULT 0;

-- Data move (issue 16, prisma/README.md "Sparse raw tier"): Sample keeps one row per RUN — the first sample of each
-- run of equal results, with the run's sample count and last time. Here a run is split conservatively: by status,
-- reason and detail compared EXACTLY (no digit or measurement masking in SQL, which SQLite cannot do) and by a gap
-- longer than the series' cap. That keeps more rows than the write path's rule (lib/slo/timeline.ts startsRun) would;
-- each extra row only splits a run in two whose counts and times stay exact. A later row at the same time as an
-- earlier one of its series was a late duplicate (never rolled up) and goes.
CREATE TABLE "_SampleThin" AS
WITH t0 AS (
  SELECT s."id", s."clusterId", s."probe", s."target", s."status", s."reason", s."detail",
    (EXTRACT(EPOCH FROM s."at") * 1000)::bigint AS "atMs",
    COALESCE((SELECT r."capMs" FROM "Series" r WHERE r."clusterId" = s."clusterId" AND r."probe" = s."probe" AND r."target" = s."target"), 30000) AS "capMs"
  FROM "Sample" s
), t1 AS (
  SELECT t0.*, ROW_NUMBER() OVER (PARTITION BY "clusterId", "probe", "target", "atMs" ORDER BY "id") AS "rn" FROM t0
), t AS (
  SELECT t1.*,
    LAG("atMs") OVER w AS "pAt", LAG("status") OVER w AS "pStatus", LAG("reason") OVER w AS "pReason", LAG("detail") OVER w AS "pDetail"
  FROM t1 WHERE "rn" = 1
  WINDOW w AS (PARTITION BY "clusterId", "probe", "target" ORDER BY "atMs", "id")
), k AS (
  SELECT t.*, CASE WHEN "pAt" IS NULL OR "atMs" - "pAt" > "capMs" OR "status" <> "pStatus" OR "reason" <> "pReason" OR "detail" IS DISTINCT FROM "pDetail" THEN 1 ELSE 0 END AS "starts" FROM t
)
SELECT "id", "clusterId", "probe", "target", "atMs", "starts",
  SUM("starts") OVER (PARTITION BY "clusterId", "probe", "target" ORDER BY "atMs", "id" ROWS UNBOUNDED PRECEDING) AS "run"
FROM k;
CREATE TABLE "_SampleRun" AS
SELECT "clusterId", "probe", "target", "run", MIN(CASE WHEN "starts" = 1 THEN "id" END) AS "startId", COUNT(*) AS "n", MAX("atMs") AS "lastAtMs"
FROM "_SampleThin" GROUP BY "clusterId", "probe", "target", "run";
CREATE UNIQUE INDEX "_SampleRun_startId" ON "_SampleRun"("startId");
UPDATE "Sample" SET "runSamples" = r."n", "runLastAtMs" = r."lastAtMs" FROM "_SampleRun" r WHERE r."startId" = "Sample"."id";
DELETE FROM "Sample" WHERE "id" NOT IN (SELECT "startId" FROM "_SampleRun");
-- The open run of each series: its last run, when that run ends at the cursor's last sample (otherwise the next
-- sample starts a row of its own).
UPDATE "Series" SET "runSampleId" = r."startId", "runSamples" = r."n" FROM "_SampleRun" r
WHERE r."clusterId" = "Series"."clusterId" AND r."probe" = "Series"."probe" AND r."target" = "Series"."target" AND r."lastAtMs" = "Series"."lastAtMs"
  AND r."run" = (SELECT MAX(x."run") FROM "_SampleRun" x WHERE x."clusterId" = r."clusterId" AND x."probe" = r."probe" AND x."target" = r."target");
DROP TABLE "_SampleRun";
DROP TABLE "_SampleThin";
