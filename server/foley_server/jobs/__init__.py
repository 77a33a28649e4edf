"""Jobs: the SQLite store, leases, the worker pool per device, cancellation and retention."""
