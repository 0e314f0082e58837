-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "settings" TEXT NOT NULL DEFAULT '{}';
