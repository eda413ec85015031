"""Shared pytest fixtures. The real stack is started once per test session (see tests/e2e/conftest.py)."""
