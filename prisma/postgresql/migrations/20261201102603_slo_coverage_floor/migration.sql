-- AlterTable
ALTER TABLE "SloPolicy" ADD COLUMN     "coverageFloor" DOUBLE PRECISION;
