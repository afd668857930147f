-- Runs once when the PostgreSQL volume is created (docker-entrypoint-initdb.d): one database
-- per service that stores data, so each service owns its schema and migrations.
CREATE DATABASE user_service;
CREATE DATABASE product_service;
CREATE DATABASE order_service;
