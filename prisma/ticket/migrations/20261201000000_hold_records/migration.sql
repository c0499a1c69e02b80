-- The closed-hold record becomes the hold record: a hold claims its reservation's row while it is
-- open, and closing it sets closed_at, so a hold and its closure serialise on one row and the
-- hold can be taken in one statement.
CREATE TABLE "hold_record" (
    "reservation_id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "hold_record_pkey" PRIMARY KEY ("reservation_id")
);

INSERT INTO "hold_record" ("reservation_id", "ticket_id", "claimed_at", "closed_at")
SELECT "reservation_id", "ticket_id", "closed_at", "closed_at" FROM "closed_hold";

DROP TABLE "closed_hold";
