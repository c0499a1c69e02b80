-- CreateTable
CREATE TABLE "ticket_entry" (
    "ticket_id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "starts_at" DATETIME,
    "expires_at" DATETIME,
    "registered_at" DATETIME,
    "state" TEXT NOT NULL DEFAULT 'AVAILABLE',
    "held_by" TEXT,
    "held_at" DATETIME,
    "currency" TEXT,
    "base_price" INTEGER,
    "policy_discount" INTEGER,
    "vip_discount" INTEGER,
    "final_price" INTEGER,
    "priced_at" DATETIME,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "reservation_entry" (
    "reservation_id" TEXT NOT NULL PRIMARY KEY,
    "ticket_id" TEXT NOT NULL,
    "user_id" TEXT,
    "ticket_name" TEXT,
    "user_grade" TEXT,
    "status" TEXT NOT NULL DEFAULT 'CONFIRMED',
    "reserved_at" DATETIME,
    "cancelled_at" DATETIME,
    "currency" TEXT,
    "list_price" INTEGER,
    "vip_state" TEXT,
    "vip_discount" INTEGER,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "released_hold" (
    "reservation_id" TEXT NOT NULL PRIMARY KEY,
    "ticket_id" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "applied_event" (
    "id" TEXT NOT NULL PRIMARY KEY
);

-- CreateTable
CREATE TABLE "view_meta" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "schema_version" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "stream_created" TEXT NOT NULL,
    "last_applied_sequence" BIGINT NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "ticket_entry_registered_at_ticket_id_idx" ON "ticket_entry"("registered_at", "ticket_id");

-- CreateIndex
CREATE INDEX "reservation_entry_user_id_reserved_at_reservation_id_idx" ON "reservation_entry"("user_id", "reserved_at", "reservation_id");

-- CreateIndex
CREATE INDEX "reservation_entry_ticket_id_idx" ON "reservation_entry"("ticket_id");

-- CreateIndex
CREATE INDEX "released_hold_ticket_id_idx" ON "released_hold"("ticket_id");
