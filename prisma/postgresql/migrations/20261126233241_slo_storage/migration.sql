-- CreateEnum
CREATE TYPE "SloWindowKind" AS ENUM ('rolling7d', 'rolling28d', 'rolling30d', 'rolling90d', 'month', 'quarter');

-- CreateEnum
CREATE TYPE "MaintenanceRecurrence" AS ENUM ('none', 'daily', 'weekly');

-- CreateTable
CREATE TABLE "Series" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "probe" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "lastAtMs" BIGINT NOT NULL,
    "lastStatus" "SampleStatus" NOT NULL,
    "openStartMs" BIGINT NOT NULL,
    "openReason" TEXT NOT NULL,
    "openSamples" INTEGER NOT NULL,
    "capMs" INTEGER NOT NULL,

    CONSTRAINT "Series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StatusInterval" (
    "seriesId" INTEGER NOT NULL,
    "startMs" BIGINT NOT NULL,
    "endMs" BIGINT NOT NULL,
    "status" "SampleStatus" NOT NULL,
    "reason" TEXT NOT NULL,
    "samples" INTEGER NOT NULL,

    CONSTRAINT "StatusInterval_pkey" PRIMARY KEY ("seriesId","startMs")
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

    CONSTRAINT "RollupHour_pkey" PRIMARY KEY ("bucketStartMs","seriesId")
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

    CONSTRAINT "RollupDay_pkey" PRIMARY KEY ("bucketStartMs","seriesId")
);

-- CreateTable
CREATE TABLE "SloPolicy" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "component" TEXT NOT NULL DEFAULT '*',
    "objective" DOUBLE PRECISION NOT NULL,
    "window" "SloWindowKind" NOT NULL DEFAULT 'rolling30d',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SloPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MaintenanceWindow" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT,
    "title" TEXT NOT NULL,
    "startMs" BIGINT NOT NULL,
    "durationMs" BIGINT NOT NULL,
    "recurrence" "MaintenanceRecurrence" NOT NULL DEFAULT 'none',
    "untilMs" BIGINT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MaintenanceWindow_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Series_clusterId_probe_target_key" ON "Series"("clusterId", "probe", "target");

-- CreateIndex
CREATE INDEX "StatusInterval_seriesId_endMs_idx" ON "StatusInterval"("seriesId", "endMs");

-- CreateIndex
CREATE UNIQUE INDEX "SloPolicy_clusterId_component_key" ON "SloPolicy"("clusterId", "component");

-- CreateIndex
CREATE INDEX "MaintenanceWindow_clusterId_idx" ON "MaintenanceWindow"("clusterId");

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatusInterval" ADD CONSTRAINT "StatusInterval_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RollupHour" ADD CONSTRAINT "RollupHour_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RollupDay" ADD CONSTRAINT "RollupDay_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SloPolicy" ADD CONSTRAINT "SloPolicy_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceWindow" ADD CONSTRAINT "MaintenanceWindow_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
