"""Benchmarks of the package against raw httpx and a peer integration (not run by pytest)."""
