"""Write: atomic sets of files, batches, limits and the render plan."""
