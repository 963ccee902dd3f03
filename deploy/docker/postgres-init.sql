-- Each service owns its own database (docker-compose.yml mounts this into the PostgreSQL container).
CREATE DATABASE evently_users;
CREATE DATABASE evently_events;
CREATE DATABASE evently_notifier;
