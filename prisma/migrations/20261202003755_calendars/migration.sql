-- AlterTable
ALTER TABLE "CheckIn" ADD COLUMN "calendarEventHash" TEXT;

-- CreateTable
CREATE TABLE "Calendar" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "practiceId" TEXT NOT NULL,
    "therapistId" TEXT NOT NULL,
    "urlCipher" TEXT NOT NULL,
    "urlKeyId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "etag" TEXT,
    "lastModified" TEXT,
    "nextPollAt" DATETIME NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "lastFetchAt" DATETIME,
    "lastSuccessAt" DATETIME,
    "lastErrorCode" TEXT,
    "lastErrorAt" DATETIME,
    "failingSince" DATETIME,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "failureNoticeAt" DATETIME,
    "connectedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Calendar_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "Practice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Calendar_therapistId_fkey" FOREIGN KEY ("therapistId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (columns added in place: redefining "Enrollment" inside the migration transaction
-- would cascade its implicit DELETE to check-ins and alerts)
ALTER TABLE "Enrollment" ADD COLUMN "scheduleSource" TEXT NOT NULL DEFAULT 'weekly';
ALTER TABLE "Enrollment" ADD COLUMN "calendarCode" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Enrollment_calendarCode_key" ON "Enrollment"("calendarCode");

-- CreateIndex
CREATE UNIQUE INDEX "Calendar_therapistId_key" ON "Calendar"("therapistId");

-- CreateIndex
CREATE INDEX "Calendar_nextPollAt_idx" ON "Calendar"("nextPollAt");

-- CreateIndex
CREATE INDEX "Calendar_practiceId_idx" ON "Calendar"("practiceId");

-- CreateIndex
CREATE UNIQUE INDEX "CheckIn_enrollmentId_calendarEventHash_key" ON "CheckIn"("enrollmentId", "calendarEventHash");
