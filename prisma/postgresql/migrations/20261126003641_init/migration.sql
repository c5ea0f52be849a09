-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Practice" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "settings" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Practice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL,
    "practiceId" TEXT NOT NULL,
    "platformUserId" TEXT NOT NULL,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "isTherapist" BOOLEAN NOT NULL DEFAULT false,
    "isClient" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "consentVersion" TEXT,
    "consentAt" TIMESTAMP(3),
    "consentDeclinedAt" TIMESTAMP(3),
    "stoppedAt" TIMESTAMP(3),
    "pausedUntil" TIMESTAMP(3),
    "undeliverableAt" TIMESTAMP(3),
    "undeliverableCode" TEXT,
    "digestWeekday" INTEGER,
    "digestTime" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Enrollment" (
    "id" TEXT NOT NULL,
    "practiceId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "therapistId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "weekdays" TEXT NOT NULL,
    "startTime" TEXT NOT NULL,
    "sessionMinutes" INTEGER NOT NULL,
    "timeZone" TEXT NOT NULL,
    "delayMinutes" INTEGER NOT NULL DEFAULT 10,
    "reminderMinutes" INTEGER NOT NULL DEFAULT 240,
    "windowMinutes" INTEGER NOT NULL DEFAULT 2880,
    "locale" TEXT,
    "pausedUntil" TIMESTAMP(3),
    "skipDates" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Enrollment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckIn" (
    "id" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'scheduled',
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "sessionEndAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "remindAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "reminderSentAt" TIMESTAMP(3),
    "answeredAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "platformChannelId" TEXT,
    "platformMessageId" TEXT,
    "lastErrorCode" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CheckIn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Response" (
    "id" TEXT NOT NULL,
    "checkInId" TEXT NOT NULL,
    "goal" INTEGER,
    "task" INTEGER,
    "bond" INTEGER,
    "tension" TEXT,
    "talkedThrough" TEXT,
    "commentCipher" TEXT,
    "commentKeyId" TEXT,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Response_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "checkInId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "severity" TEXT NOT NULL DEFAULT 'normal',
    "signals" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "acknowledgedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "snoozedUntil" TIMESTAMP(3),
    "remindedAt" TIMESTAMP(3),
    "escalatedAt" TIMESTAMP(3),
    "platformChannelId" TEXT,
    "platformMessageId" TEXT,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "practiceId" TEXT NOT NULL,
    "actorPersonId" TEXT,
    "action" TEXT NOT NULL,
    "subjectPersonId" TEXT,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Practice_platform_externalId_key" ON "Practice"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Person_practiceId_platformUserId_key" ON "Person"("practiceId", "platformUserId");

-- CreateIndex
CREATE INDEX "Enrollment_practiceId_status_idx" ON "Enrollment"("practiceId", "status");

-- CreateIndex
CREATE INDEX "Enrollment_clientId_idx" ON "Enrollment"("clientId");

-- CreateIndex
CREATE INDEX "Enrollment_therapistId_idx" ON "Enrollment"("therapistId");

-- CreateIndex
CREATE INDEX "CheckIn_status_dueAt_idx" ON "CheckIn"("status", "dueAt");

-- CreateIndex
CREATE INDEX "CheckIn_status_remindAt_idx" ON "CheckIn"("status", "remindAt");

-- CreateIndex
CREATE INDEX "CheckIn_status_closesAt_idx" ON "CheckIn"("status", "closesAt");

-- CreateIndex
CREATE INDEX "CheckIn_enrollmentId_status_idx" ON "CheckIn"("enrollmentId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "CheckIn_enrollmentId_sessionEndAt_key" ON "CheckIn"("enrollmentId", "sessionEndAt");

-- CreateIndex
CREATE UNIQUE INDEX "Response_checkInId_key" ON "Response"("checkInId");

-- CreateIndex
CREATE INDEX "Alert_enrollmentId_status_idx" ON "Alert"("enrollmentId", "status");

-- CreateIndex
CREATE INDEX "Alert_status_createdAt_idx" ON "Alert"("status", "createdAt");

-- CreateIndex
CREATE INDEX "InboundEvent_receivedAt_idx" ON "InboundEvent"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_platform_eventKey_key" ON "InboundEvent"("platform", "eventKey");

-- CreateIndex
CREATE INDEX "AuditEntry_practiceId_subjectPersonId_createdAt_idx" ON "AuditEntry"("practiceId", "subjectPersonId", "createdAt");

-- AddForeignKey
ALTER TABLE "Person" ADD CONSTRAINT "Person_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "Practice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrollment" ADD CONSTRAINT "Enrollment_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "Practice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrollment" ADD CONSTRAINT "Enrollment_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrollment" ADD CONSTRAINT "Enrollment_therapistId_fkey" FOREIGN KEY ("therapistId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckIn" ADD CONSTRAINT "CheckIn_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_checkInId_fkey" FOREIGN KEY ("checkInId") REFERENCES "CheckIn"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_practiceId_fkey" FOREIGN KEY ("practiceId") REFERENCES "Practice"("id") ON DELETE CASCADE ON UPDATE CASCADE;
