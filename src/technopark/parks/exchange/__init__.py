"""Data exchange: the standard schema for parks and sites, import, export and synthetic data.

See docs/exchange-schema.md (rendered from `schema.py`).
"""
