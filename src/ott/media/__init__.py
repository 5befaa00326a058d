"""The video pipeline: the media service (app.py) with resumable uploads (uploads/), encoding
jobs on a durable queue run by workers (jobs/) and the encoders themselves (encoding/)."""
