-- DropIndex
DROP INDEX "Sample_at_idx";

-- AlterTable
ALTER TABLE "Sample" ADD COLUMN     "runLastAtMs" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "runSamples" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Series" ADD COLUMN     "recentGaps" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "runSampleId" INTEGER,
ADD COLUMN     "runSamples" INTEGER NOT NULL DEFAULT 0;

-- Data move (issue 16, prisma/README.md "Sparse raw tier"): Sample keeps one row per RUN — the first sample of each
-- run of equal results, with the run's sample count and last time. A row starts a run by
-- the write path's rule (lib/slo/timeline.ts startsRun) in SQL: status, reason with digits masked (regexp_replace, as
-- reasonKey), detail with the numbers of the volatile measurements masked (renewAgeMs, raftIndex, dbSize, dbSizeInUse,
-- latencyMs, as detailKey does on JSON.stringify's output), and a gap longer than the series' cap.
-- Where this keeps more rows than the write path would, each extra row only splits a run in two whose counts and
-- times stay exact. A later row at the same time as an earlier one of its series was a late duplicate (never rolled
-- up) and goes.
CREATE TABLE "_SampleThin" AS
WITH t0 AS (
  SELECT s."id", s."clusterId", s."probe", s."target", s."status",
    regexp_replace(s."reason", '\d+(\.\d+)?', '#', 'g') AS "rk",
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(s."detail", '(?<!\\)"renewAgeMs":-?\d+(\.\d+)?([eE][+-]?\d+)?', '"renewAgeMs":"#"', 'g'), '(?<!\\)"raftIndex":-?\d+(\.\d+)?([eE][+-]?\d+)?', '"raftIndex":"#"', 'g'), '(?<!\\)"dbSize":-?\d+(\.\d+)?([eE][+-]?\d+)?', '"dbSize":"#"', 'g'), '(?<!\\)"dbSizeInUse":-?\d+(\.\d+)?([eE][+-]?\d+)?', '"dbSizeInUse":"#"', 'g'), '(?<!\\)"latencyMs":-?\d+(\.\d+)?([eE][+-]?\d+)?', '"latencyMs":"#"', 'g') AS "dk",
    (EXTRACT(EPOCH FROM s."at") * 1000)::bigint AS "atMs",
    COALESCE((SELECT r."capMs" FROM "Series" r WHERE r."clusterId" = s."clusterId" AND r."probe" = s."probe" AND r."target" = s."target"), 30000) AS "capMs"
  FROM "Sample" s
), t1 AS (
  SELECT t0.*, ROW_NUMBER() OVER (PARTITION BY "clusterId", "probe", "target", "atMs" ORDER BY "id") AS "rn" FROM t0
), t AS (
  SELECT t1.*,
    LAG("atMs") OVER w AS "pAt", LAG("status") OVER w AS "pStatus", LAG("rk") OVER w AS "pRk", LAG("dk") OVER w AS "pDk"
  FROM t1 WHERE "rn" = 1
  WINDOW w AS (PARTITION BY "clusterId", "probe", "target" ORDER BY "atMs", "id")
), k AS (
  SELECT t.*, CASE WHEN "pAt" IS NULL OR "atMs" - "pAt" > "capMs" OR "status" <> "pStatus" OR "rk" <> "pRk" OR "dk" IS DISTINCT FROM "pDk" THEN 1 ELSE 0 END AS "starts" FROM t
)
SELECT "id", "clusterId", "probe", "target", "atMs", "starts",
  SUM("starts") OVER (PARTITION BY "clusterId", "probe", "target" ORDER BY "atMs", "id" ROWS UNBOUNDED PRECEDING) AS "run"
FROM k;
CREATE TABLE "_SampleRun" AS
SELECT "clusterId", "probe", "target", "run", MIN(CASE WHEN "starts" = 1 THEN "id" END) AS "startId", COUNT(*) AS "n", MAX("atMs") AS "lastAtMs"
FROM "_SampleThin" GROUP BY "clusterId", "probe", "target", "run";
CREATE UNIQUE INDEX "_SampleRun_startId" ON "_SampleRun"("startId");
CREATE INDEX "_SampleRun_series" ON "_SampleRun"("clusterId", "probe", "target", "lastAtMs");
UPDATE "Sample" SET "runSamples" = r."n", "runLastAtMs" = r."lastAtMs" FROM "_SampleRun" r WHERE r."startId" = "Sample"."id";
DELETE FROM "Sample" WHERE "id" NOT IN (SELECT "startId" FROM "_SampleRun");
-- The open run of each series: the run that ends at the cursor's last sample (its last run, without one the next
-- sample starts a row of its own).
UPDATE "Series" SET "runSampleId" = r."startId", "runSamples" = r."n" FROM "_SampleRun" r
WHERE r."clusterId" = "Series"."clusterId" AND r."probe" = "Series"."probe" AND r."target" = "Series"."target" AND r."lastAtMs" = "Series"."lastAtMs";
-- The times of the last samples before each cursor's last one (the alert rules count the last N samples).
CREATE INDEX "_SampleThin_series" ON "_SampleThin"("clusterId", "probe", "target", "atMs");
UPDATE "Series" SET "recentGaps" = COALESCE((
  SELECT string_agg(g."gap"::text, ',' ORDER BY g."k") FROM (
    SELECT x."atMs", ROW_NUMBER() OVER (ORDER BY x."atMs" DESC) AS "k", LAG(x."atMs") OVER (ORDER BY x."atMs" DESC) - x."atMs" AS "gap"
    FROM "_SampleThin" x
    WHERE x."clusterId" = "Series"."clusterId" AND x."probe" = "Series"."probe" AND x."target" = "Series"."target" AND x."atMs" <= "Series"."lastAtMs"
    ORDER BY x."atMs" DESC LIMIT 101
  ) g WHERE g."k" >= 2
), '')
WHERE EXISTS (
  SELECT 1 FROM "_SampleThin" x WHERE x."clusterId" = "Series"."clusterId" AND x."probe" = "Series"."probe" AND x."target" = "Series"."target" AND x."atMs" = "Series"."lastAtMs"
);
DROP TABLE "_SampleRun";
DROP TABLE "_SampleThin";
