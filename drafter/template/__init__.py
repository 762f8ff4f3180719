"""Template: the composed document through a sandboxed template to the one HTML."""
