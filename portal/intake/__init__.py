"""Intake: the outbox, the queue and its worker, blind indexes, screening and assessments."""
