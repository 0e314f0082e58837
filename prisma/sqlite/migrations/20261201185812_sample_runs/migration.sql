-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Sample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" TEXT NOT NULL,
    "probe" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "latencyMs" INTEGER,
    "detail" TEXT,
    "runSamples" INTEGER NOT NULL DEFAULT 1,
    "runLastAtMs" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "Sample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Sample" ("at", "clusterId", "detail", "id", "latencyMs", "probe", "reason", "status", "target") SELECT "at", "clusterId", "detail", "id", "latencyMs", "probe", "reason", "status", "target" FROM "Sample";
DROP TABLE "Sample";
ALTER TABLE "new_Sample" RENAME TO "Sample";
CREATE INDEX "Sample_clusterId_probe_at_idx" ON "Sample"("clusterId", "probe", "at");
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
    "runSampleId" INTEGER,
    "runSamples" INTEGER NOT NULL DEFAULT 0,
    "recentGaps" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Series_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Series" ("capMs", "clusterId", "id", "lastAtMs", "lastDetail", "lastLatencyMs", "lastReason", "lastStatus", "openReason", "openSamples", "openStartMs", "probe", "target") SELECT "capMs", "clusterId", "id", "lastAtMs", "lastDetail", "lastLatencyMs", "lastReason", "lastStatus", "openReason", "openSamples", "openStartMs", "probe", "target" FROM "Series";
DROP TABLE "Series";
ALTER TABLE "new_Series" RENAME TO "Series";
CREATE UNIQUE INDEX "Series_clusterId_probe_target_key" ON "Series"("clusterId", "probe", "target");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Data move (issue 16, prisma/README.md "Sparse raw tier"): Sample keeps one row per RUN — the first sample of each
-- run of equal results, with the run's sample count and last time. A row starts a run by
-- the write path's rule (lib/slo/timeline.ts startsRun) as far as SQLite can say it (no regexp): status, reason with
-- each digit masked on its own (finer than reasonKey: "1.2" and "12" differ here), detail with the numbers of the
-- volatile measurements under "facts" masked (json_set: renewAgeMs, raftIndex, dbSize, dbSizeInUse, elsewhere exact),
-- and a gap longer than the series' cap.
-- Where this keeps more rows than the write path would, each extra row only splits a run in two whose counts and
-- times stay exact. A later row at the same time as an earlier one of its series was a late duplicate (never rolled
-- up) and goes.
CREATE TABLE "_SampleThin" AS
WITH d0 AS (
  SELECT s."id", s."clusterId", s."probe", s."target", s."status",
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(s."reason", '0', '#'), '1', '#'), '2', '#'), '3', '#'), '4', '#'), '5', '#'), '6', '#'), '7', '#'), '8', '#'), '9', '#') AS "rk",
    s."detail" AS "dk",
    CAST(ROUND((julianday(s."at") - 2440587.5) * 86400000) AS INTEGER) AS "atMs",
    COALESCE((SELECT r."capMs" FROM "Series" r WHERE r."clusterId" = s."clusterId" AND r."probe" = s."probe" AND r."target" = s."target"), 30000) AS "capMs"
  FROM "Sample" s
), d1 AS (
  SELECT "id", "clusterId", "probe", "target", "status", "rk", "atMs", "capMs", CASE WHEN json_valid("dk") AND json_type("dk", '$.facts.renewAgeMs') IN ('integer', 'real') THEN json_set("dk", '$.facts.renewAgeMs', '#') ELSE "dk" END AS "dk" FROM d0
), d2 AS (
  SELECT "id", "clusterId", "probe", "target", "status", "rk", "atMs", "capMs", CASE WHEN json_valid("dk") AND json_type("dk", '$.facts.raftIndex') IN ('integer', 'real') THEN json_set("dk", '$.facts.raftIndex', '#') ELSE "dk" END AS "dk" FROM d1
), d3 AS (
  SELECT "id", "clusterId", "probe", "target", "status", "rk", "atMs", "capMs", CASE WHEN json_valid("dk") AND json_type("dk", '$.facts.dbSize') IN ('integer', 'real') THEN json_set("dk", '$.facts.dbSize', '#') ELSE "dk" END AS "dk" FROM d2
), d4 AS (
  SELECT "id", "clusterId", "probe", "target", "status", "rk", "atMs", "capMs", CASE WHEN json_valid("dk") AND json_type("dk", '$.facts.dbSizeInUse') IN ('integer', 'real') THEN json_set("dk", '$.facts.dbSizeInUse', '#') ELSE "dk" END AS "dk" FROM d3
), t0 AS (SELECT * FROM d4), t1 AS (
  SELECT t0.*, ROW_NUMBER() OVER (PARTITION BY "clusterId", "probe", "target", "atMs" ORDER BY "id") AS "rn" FROM t0
), t AS (
  SELECT t1.*,
    LAG("atMs") OVER w AS "pAt", LAG("status") OVER w AS "pStatus", LAG("rk") OVER w AS "pRk", LAG("dk") OVER w AS "pDk"
  FROM t1 WHERE "rn" = 1
  WINDOW w AS (PARTITION BY "clusterId", "probe", "target" ORDER BY "atMs", "id")
), k AS (
  SELECT t.*, CASE WHEN "pAt" IS NULL OR "atMs" - "pAt" > "capMs" OR "status" <> "pStatus" OR "rk" <> "pRk" OR "dk" IS NOT "pDk" THEN 1 ELSE 0 END AS "starts" FROM t
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
  SELECT group_concat(g."gap", ',' ORDER BY g."k") FROM (
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
