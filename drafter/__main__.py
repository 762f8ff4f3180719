import gc

# Start-up creates some hundred thousand objects that live as long as the process; collecting
# among them while they are imported costs a cold run about 0.04 s for nothing.
gc.disable()
from .cli import console  # noqa: E402

gc.enable()
console()
