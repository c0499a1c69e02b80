-- CreateTable
CREATE TABLE "closed_hold" (
    "reservation_id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "closed_hold_pkey" PRIMARY KEY ("reservation_id")
);

