-- AlterTable
ALTER TABLE "Practice" ADD COLUMN "sendIssueAt" DATETIME;
ALTER TABLE "Practice" ADD COLUMN "sendIssueCode" TEXT;

-- AlterTable
ALTER TABLE "InboundEvent" ADD COLUMN "completedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Person" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "practiceId" TEXT NOT NULL,
    "platformUserId" TEXT NOT NULL,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "isTherapist" BOOLEAN NOT NULL DEFAULT false,
    "isClient" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "consentVersion" TEXT,
    "consentAt" DATETIME,
    "consentDeclinedAt" DATETIME,
    "stoppedAt" DATETIME,
    "pausedUntil" DATETIME,
    "undeliverableAt" DATETIME,
    "undeliverableCode" TEXT,
    "unreachableFailures" INTEGER NOT NULL DEFAULT 0,
    "unreachableRetryAt" DATETIME,
    "digestWeekday" INTEGER,
    "digestTime" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Person_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "Practice" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Person" ("consentAt", "consentDeclinedAt", "consentVersion", "createdAt", "digestTime", "digestWeekday", "id", "isAdmin", "isClient", "isTherapist", "locale", "pausedUntil", "platformUserId", "practiceId", "stoppedAt", "undeliverableAt", "undeliverableCode", "updatedAt") SELECT "consentAt", "consentDeclinedAt", "consentVersion", "createdAt", "digestTime", "digestWeekday", "id", "isAdmin", "isClient", "isTherapist", "locale", "pausedUntil", "platformUserId", "practiceId", "stoppedAt", "undeliverableAt", "undeliverableCode", "updatedAt" FROM "Person";
DROP TABLE "Person";
ALTER TABLE "new_Person" RENAME TO "Person";
CREATE UNIQUE INDEX "Person_practiceId_platformUserId_key" ON "Person"("practiceId", "platformUserId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
