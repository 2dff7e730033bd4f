"""The watch list: persons security officers must be told about, matched at intake.

Imported from a CSV file by an operator, stored encrypted, matched in the worker's memory.
"""
