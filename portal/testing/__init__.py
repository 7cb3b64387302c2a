"""Shared test support: the cast of users every test works with, and API test helpers."""
