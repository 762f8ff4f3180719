"""Compose: a validated letter to the document every format prints (pure code)."""
