"""Shared test fixtures: personas and fast defaults."""
