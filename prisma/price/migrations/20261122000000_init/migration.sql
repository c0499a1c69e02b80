-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "VipAdjustmentState" AS ENUM ('APPLIED', 'REVERTED');

-- CreateTable
CREATE TABLE "price_policy" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "discount_percent" INTEGER NOT NULL,
    "vip_discount_percent" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "price_policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "price" (
    "ticket_id" UUID NOT NULL,
    "currency" TEXT NOT NULL,
    "base_price" INTEGER NOT NULL,
    "policy_discount" INTEGER NOT NULL,
    "vip_discount" INTEGER NOT NULL DEFAULT 0,
    "final_price" INTEGER NOT NULL,
    "policy_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "price_pkey" PRIMARY KEY ("ticket_id")
);

-- CreateTable
CREATE TABLE "vip_adjustment" (
    "reservation_id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "state" "VipAdjustmentState" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vip_adjustment_pkey" PRIMARY KEY ("reservation_id")
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

-- CreateTable
CREATE TABLE "inbox_event" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "price_policy_name_key" ON "price_policy"("name");

-- CreateIndex
CREATE INDEX "vip_adjustment_ticket_id_state_idx" ON "vip_adjustment"("ticket_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- AddForeignKey
ALTER TABLE "price" ADD CONSTRAINT "price_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "price_policy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- At most one active policy: it prices newly registered tickets.
CREATE UNIQUE INDEX "price_policy_single_active" ON "price_policy" ("active") WHERE "active";

-- The default policy, so a fresh database prices tickets from its first registration.
INSERT INTO "price_policy" ("id", "name", "discount_percent", "vip_discount_percent", "active", "updated_at")
VALUES ('00000000-0000-4000-8000-000000000001', 'standard', 10, 10, true, CURRENT_TIMESTAMP);

-- The relay scans only what is still to be published.
CREATE INDEX "outbox_event_unpublished" ON "outbox_event" ("sequence") WHERE "published_at" IS NULL;
