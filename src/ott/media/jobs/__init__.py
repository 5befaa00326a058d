"""Encoding jobs: their status machine, the durable queue on PostgreSQL, the worker, and the
registration of what a job produced."""
