-- AlterTable
ALTER TABLE "SloPolicy" ADD COLUMN "coverageFloor" REAL;
