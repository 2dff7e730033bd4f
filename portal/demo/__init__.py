"""Realistic demonstration data, encrypted like real cases."""
