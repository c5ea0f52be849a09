-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN     "calendarCode" TEXT,
ADD COLUMN     "scheduleSource" TEXT NOT NULL DEFAULT 'weekly';

-- AlterTable
ALTER TABLE "CheckIn" ADD COLUMN     "calendarEventHash" TEXT;

-- CreateTable
CREATE TABLE "Calendar" (
    "id" TEXT NOT NULL,
    "practiceId" TEXT NOT NULL,
    "therapistId" TEXT NOT NULL,
    "urlCipher" TEXT NOT NULL,
    "urlKeyId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "etag" TEXT,
    "lastModified" TEXT,
    "nextPollAt" TIMESTAMP(3) NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "lastFetchAt" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "lastErrorCode" TEXT,
    "lastErrorAt" TIMESTAMP(3),
    "failingSince" TIMESTAMP(3),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "failureNoticeAt" TIMESTAMP(3),
    "connectedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Calendar_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Calendar_therapistId_key" ON "Calendar"("therapistId");

-- CreateIndex
CREATE INDEX "Calendar_nextPollAt_idx" ON "Calendar"("nextPollAt");

-- CreateIndex
CREATE INDEX "Calendar_practiceId_idx" ON "Calendar"("practiceId");

-- CreateIndex
CREATE UNIQUE INDEX "Enrollment_calendarCode_key" ON "Enrollment"("calendarCode");

-- CreateIndex
CREATE UNIQUE INDEX "CheckIn_enrollmentId_calendarEventHash_key" ON "CheckIn"("enrollmentId", "calendarEventHash");

-- AddForeignKey
ALTER TABLE "Calendar" ADD CONSTRAINT "Calendar_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "Practice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Calendar" ADD CONSTRAINT "Calendar_therapistId_fkey" FOREIGN KEY ("therapistId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
