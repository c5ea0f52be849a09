-- At most one unresolved (open or acknowledged) alert per enrollment, so two evaluations at the
-- same moment cannot both create one. (Written by hand: Prisma schemas cannot express partial indexes.)
CREATE UNIQUE INDEX "Alert_one_unresolved_per_enrollment" ON "Alert"("enrollmentId") WHERE "status" IN ('open', 'acknowledged');
