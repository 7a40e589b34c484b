"""Batch moderation of comment files: reading JSONL/CSV input and running the pipeline on it."""
