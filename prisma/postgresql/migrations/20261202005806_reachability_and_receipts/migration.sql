-- AlterTable
ALTER TABLE "Practice" ADD COLUMN     "sendIssueAt" TIMESTAMP(3),
ADD COLUMN     "sendIssueCode" TEXT;

-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "unreachableFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "unreachableRetryAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "InboundEvent" ADD COLUMN     "completedAt" TIMESTAMP(3);
