-- Runs once, on an empty data directory (docker-entrypoint-initdb.d). Each transactional
-- subgraph owns its database; the `migrate` job creates the tables.
CREATE DATABASE ticket;
CREATE DATABASE reservation;
CREATE DATABASE price;
