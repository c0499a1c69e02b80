-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UserGrade" AS ENUM ('NORMAL', 'VIP');

-- CreateEnum
CREATE TYPE "ReservationStatus" AS ENUM ('CONFIRMED', 'CANCELLED');

-- CreateTable
CREATE TABLE "reservation" (
    "id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "user_grade" "UserGrade" NOT NULL,
    "status" "ReservationStatus" NOT NULL DEFAULT 'CONFIRMED',
    "reserved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "sequence" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("sequence")
);

-- CreateIndex
CREATE INDEX "reservation_user_id_reserved_at_id_idx" ON "reservation"("user_id", "reserved_at", "id");

-- CreateIndex
CREATE INDEX "reservation_ticket_id_idx" ON "reservation"("ticket_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- The relay scans only what is still to be published.
CREATE INDEX "outbox_event_unpublished" ON "outbox_event" ("sequence") WHERE "published_at" IS NULL;
