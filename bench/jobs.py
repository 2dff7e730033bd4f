"""A job that does nothing, to measure what the worker itself costs per job."""


def noop(case_id: str) -> str:
    return case_id
