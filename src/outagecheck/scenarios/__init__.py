"""Bundled outage scenarios for --replay: saved --json reports."""
