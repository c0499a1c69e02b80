-- CreateTable
CREATE TABLE "reservation_attempt" (
    "id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "user_grade" "UserGrade" NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservation_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reservation_attempt_started_at_idx" ON "reservation_attempt"("started_at");
