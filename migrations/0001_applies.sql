CREATE TABLE `applies` (
	`id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`token_hash` text NOT NULL,
	`started_by` text NOT NULL,
	`selection` text NOT NULL,
	`confirm_window` integer NOT NULL,
	`unchecked` integer NOT NULL,
	`guard` integer NOT NULL,
	`plan` text,
	`deadline` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `applies_state_idx` ON `applies` (`state`);--> statement-breakpoint
CREATE INDEX `applies_created_idx` ON `applies` (`created_at`);--> statement-breakpoint
CREATE TABLE `apply_journal` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`apply_id` text NOT NULL,
	`at` integer NOT NULL,
	`state` text NOT NULL,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`detail` text,
	FOREIGN KEY (`apply_id`) REFERENCES `applies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `apply_journal_apply_idx` ON `apply_journal` (`apply_id`);--> statement-breakpoint
CREATE TABLE `last_known_good` (
	`name` text PRIMARY KEY NOT NULL,
	`revision` integer NOT NULL,
	`script_hash` text NOT NULL,
	`script` text NOT NULL,
	`load_options` text NOT NULL,
	`apply_id` text NOT NULL,
	`confirmed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `loaded_scripts` (
	`name` text PRIMARY KEY NOT NULL,
	`revision` integer NOT NULL,
	`script_hash` text NOT NULL,
	`apply_id` text,
	`loaded_at` integer NOT NULL
);
