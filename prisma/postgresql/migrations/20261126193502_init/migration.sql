-- CreateEnum
CREATE TYPE "SampleStatus" AS ENUM ('up', 'degraded', 'down', 'unknown');

-- CreateTable
CREATE TABLE "Cluster" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "context" TEXT NOT NULL,
    "labels" TEXT NOT NULL DEFAULT '{}',
    "credentials" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sample" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "probe" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "status" "SampleStatus" NOT NULL,
    "reason" TEXT NOT NULL,
    "latencyMs" INTEGER,
    "detail" TEXT,

    CONSTRAINT "Sample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE INDEX "Sample_clusterId_probe_at_idx" ON "Sample"("clusterId", "probe", "at");

-- CreateIndex
CREATE INDEX "Sample_at_idx" ON "Sample"("at");

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
