"""Benchmarks of the pipeline (issue 6): sink throughput, apply strategy, end-to-end latency, backlog memory.

``cdc bench SCENARIO`` runs one scenario, prints a table and writes a JSON result; ``bench/RESULTS.md`` holds
the numbers measured on the project's machine and the commands that reproduce them.
"""
