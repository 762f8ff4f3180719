"""drafter as a service: the HTTP API `drafter serve` runs (app.py), its warm render workers
(pool.py), what a worker does with one request (work.py), and a request's files (uploads.py)."""
