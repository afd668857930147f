-- A reservation becomes one row per order (status, expiry) with its lines beside it, so
-- confirming, expiring or releasing an order's stock is one atomic row update. Written by
-- hand to keep existing reservations; the snapshot is drizzle-kit's for schema.ts.
ALTER TABLE "stock_reservations" RENAME TO "stock_reservation_items";--> statement-breakpoint
ALTER TABLE "stock_reservation_items" RENAME CONSTRAINT "stock_reservations_order_id_product_id_pk" TO "stock_reservation_items_order_id_product_id_pk";--> statement-breakpoint
ALTER TABLE "stock_reservation_items" RENAME CONSTRAINT "stock_reservations_product_id_products_id_fk" TO "stock_reservation_items_product_id_products_id_fk";--> statement-breakpoint
ALTER INDEX "stock_reservations_product_idx" RENAME TO "stock_reservation_items_product_idx";--> statement-breakpoint
CREATE TABLE "stock_reservations" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Before expiry existed a reservation was final once made: what an order still holds is confirmed.
INSERT INTO "stock_reservations" ("order_id", "status", "expires_at", "created_at")
SELECT "order_id",
	CASE WHEN bool_or("status" = 'reserved') THEN 'confirmed' ELSE 'released' END,
	min("created_at"),
	min("created_at")
FROM "stock_reservation_items"
GROUP BY "order_id";--> statement-breakpoint
ALTER TABLE "stock_reservation_items" DROP COLUMN "status";--> statement-breakpoint
ALTER TABLE "stock_reservation_items" DROP COLUMN "created_at";--> statement-breakpoint
ALTER TABLE "stock_reservation_items" ADD CONSTRAINT "stock_reservation_items_order_id_stock_reservations_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."stock_reservations"("order_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stock_reservations_pending_expiry_idx" ON "stock_reservations" USING btree ("expires_at") WHERE "stock_reservations"."status" = 'pending';
