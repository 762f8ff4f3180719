"""Rounds of a letter: what changed between two drafts (and, later, partners' feedback)."""
