-- AlterTable (hand-written: ADD COLUMN instead of the generated table redefinition; same resulting schema, no copy of the table)
ALTER TABLE "Cluster" ADD COLUMN "settings" TEXT NOT NULL DEFAULT '{}';
