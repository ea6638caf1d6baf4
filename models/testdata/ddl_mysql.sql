CREATE TABLE `boxes` (
    `id` bigint NOT NULL,
    PRIMARY KEY (`id`)
);
CREATE TABLE `categories` (
    `id` bigint NOT NULL,
    PRIMARY KEY (`id`)
);
CREATE TABLE `companies` (
    `id` bigint NOT NULL AUTO_INCREMENT,
    `name` varchar(255),
    PRIMARY KEY (`id`)
);
CREATE TABLE `items` (
    `id` bigint NOT NULL,
    `name` varchar(80) NOT NULL,
    `price` numeric(10,2) NOT NULL,
    `store_id` bigint NOT NULL,
    `sku_code` varchar(20) NOT NULL,
    `flag` boolean NOT NULL DEFAULT false,
    `descr` varchar(255),
    `stock` int NOT NULL DEFAULT 0,
    `memo` varchar(255),
    `data` json,
    `token` char(36) NOT NULL,
    `blob` longblob NOT NULL,
    `small` tinyint NOT NULL,
    `ratio` float NOT NULL,
    `count` smallint unsigned NOT NULL,
    `big` bigint unsigned NOT NULL,
    `seen` datetime(6) NOT NULL,
    `expires` datetime(6),
    `code` char(3) NOT NULL DEFAULT 'abc',
    `updated_at` datetime(6) NOT NULL,
    PRIMARY KEY (`id`),
    CONSTRAINT `items_price_check` CHECK (price >= 0)
);
CREATE INDEX `items_name_idx` ON `items` (`name`);
CREATE INDEX `items_store_flag` ON `items` (`store_id`, `flag`);
CREATE UNIQUE INDEX `items_token_idx` ON `items` (`token`);
CREATE TABLE `labels` (
    `id` int NOT NULL,
    `label` varchar(255) NOT NULL,
    PRIMARY KEY (`id`)
);
CREATE TABLE `pets` (
    `owner_id` bigint unsigned NOT NULL,
    `name` varchar(50) NOT NULL,
    `kind` varchar(255),
    PRIMARY KEY (`owner_id`, `name`),
    CONSTRAINT `kind_ok` CHECK (kind <> '')
);
CREATE TABLE `stores` (
    `id` bigint NOT NULL AUTO_INCREMENT,
    `name` varchar(80) NOT NULL,
    PRIMARY KEY (`id`),
    CONSTRAINT `stores_name_key` UNIQUE (`name`)
);
CREATE TABLE `users` (
    `id` bigint unsigned NOT NULL AUTO_INCREMENT,
    `created_at` datetime(6),
    `updated_at` datetime(6),
    `deleted_at` datetime(6),
    `name` varchar(100) NOT NULL,
    `email` varchar(255),
    `age` tinyint unsigned DEFAULT 18,
    `role` varchar(255) DEFAULT 'member',
    `level` bigint,
    `balance` numeric(12,2) NOT NULL DEFAULT 0,
    `nickname` varchar(30),
    `company_id` bigint,
    `profile_bio` varchar(255),
    PRIMARY KEY (`id`),
    CONSTRAINT `uni_users_email` UNIQUE (`email`),
    CONSTRAINT `chk_users_age` CHECK (age >= 0)
);
CREATE INDEX `idx_role_age` ON `users` (`role`, `level`);
CREATE INDEX `idx_users_deleted_at` ON `users` (`deleted_at`);
CREATE UNIQUE INDEX `idx_users_name` ON `users` (`name`);
ALTER TABLE `items` ADD CONSTRAINT `items_store_id_fkey` FOREIGN KEY (`store_id`) REFERENCES `stores` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT;
ALTER TABLE `pets` ADD CONSTRAINT `fk_users_pets` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`);
ALTER TABLE `users` ADD CONSTRAINT `fk_users_company` FOREIGN KEY (`company_id`) REFERENCES `companies` (`id`) ON DELETE SET NULL;
