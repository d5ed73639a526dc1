"""Benchmarks (`python -m bench [name ...]`); targets are measured here, never asserted in tests."""
