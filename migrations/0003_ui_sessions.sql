CREATE TABLE `ui_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`csrf` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`apply_tokens` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ui_sessions_expires_idx` ON `ui_sessions` (`expires_at`);