"""The case: its models, lifecycle state machine and key custody (above core, below every
feature that works on cases)."""
