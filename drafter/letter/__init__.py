"""Load and validate: what the user wrote, checked, with its positions."""
