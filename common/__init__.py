"""Shared core of the replication monorepo.

Only what two or more papers use lives here: derived seeds, results I/O with
provenance, claims, the plotting style, datasets, the per-paper CLI, and the
convex reformulations of two-layer networks (``common.arrangements``,
``common.convex_nn``). Nothing here imports from ``papers``.
"""
