CREATE TABLE `policies` (
	`name` text PRIMARY KEY NOT NULL,
	`json` text NOT NULL,
	`position` integer NOT NULL,
	`revision` integer NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `policy_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`policy_name` text NOT NULL,
	`n` integer NOT NULL,
	`author` text NOT NULL,
	`created_at` integer NOT NULL,
	`json` text NOT NULL,
	`hash` text NOT NULL,
	`kind` text DEFAULT 'save' NOT NULL,
	`message` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_revisions_name_n` ON `policy_revisions` (`policy_name`,`n`);--> statement-breakpoint
CREATE INDEX `policy_revisions_created` ON `policy_revisions` (`created_at`);--> statement-breakpoint
CREATE TABLE `admin_users` (
	`username` text PRIMARY KEY NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`name` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`scopes` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_unique` ON `api_tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `server_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL
);
