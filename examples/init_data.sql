-- The original demo's sample: two tables and a few rows. Safe to run twice (nothing changes the second time).
CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    email       VARCHAR(255) UNIQUE NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS orders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    amount      NUMERIC(10, 2) NOT NULL,
    status      VARCHAR(50) NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT NOW()
);

INSERT INTO users (id, name, email, updated_at) VALUES
    (1, 'Alice', 'alice@example.com', NOW()),
    (2, 'Bob', 'bob@example.com', NOW()),
    (3, 'Charlie', 'charlie@example.com', NOW())
ON CONFLICT (id) DO NOTHING;

INSERT INTO orders (id, user_id, amount, status, updated_at) VALUES
    (1, 1, 120.50, 'completed', NOW()),
    (2, 2, 75.00, 'pending', NOW()),
    (3, 3, 250.00, 'completed', NOW())
ON CONFLICT (id) DO NOTHING;
