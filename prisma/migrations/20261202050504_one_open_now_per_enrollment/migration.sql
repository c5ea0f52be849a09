-- At most one open (scheduled, sending or sent) `now` check-in per enrollment, so two
-- `/checkin now` at the same moment cannot both create one. (Written by hand: Prisma schemas
-- cannot express partial indexes.)
-- A database that already holds more than one keeps the one furthest along (sent, then sending,
-- then scheduled), the latest of those; the others are cancelled.
UPDATE "CheckIn" SET "status" = 'cancelled', "closedAt" = "updatedAt"
WHERE "kind" = 'now' AND "status" IN ('scheduled', 'sending', 'sent') AND EXISTS (
  SELECT 1 FROM "CheckIn" AS "other"
  WHERE "other"."enrollmentId" = "CheckIn"."enrollmentId" AND "other"."kind" = 'now' AND "other"."status" IN ('scheduled', 'sending', 'sent')
    AND "other"."id" <> "CheckIn"."id"
    AND (
      (CASE "other"."status" WHEN 'sent' THEN 2 WHEN 'sending' THEN 1 ELSE 0 END) > (CASE "CheckIn"."status" WHEN 'sent' THEN 2 WHEN 'sending' THEN 1 ELSE 0 END)
      OR ((CASE "other"."status" WHEN 'sent' THEN 2 WHEN 'sending' THEN 1 ELSE 0 END) = (CASE "CheckIn"."status" WHEN 'sent' THEN 2 WHEN 'sending' THEN 1 ELSE 0 END)
        AND ("other"."sessionEndAt" > "CheckIn"."sessionEndAt" OR ("other"."sessionEndAt" = "CheckIn"."sessionEndAt" AND "other"."id" > "CheckIn"."id")))
    )
);
CREATE UNIQUE INDEX "CheckIn_one_open_now_per_enrollment" ON "CheckIn"("enrollmentId") WHERE "kind" = 'now' AND "status" IN ('scheduled', 'sending', 'sent');
