"""`clauses audit`: analyze an archive of contracts on Dask and write one table of them.

sources (inputs, zips) -> runner (plan, resume, dedupe) -> engine (Dask batches) -> worker + child
(one analysis process per worker, per-document time limit) -> recorder (reports + journal)
-> outputs (CSV, Parquet) and dashboard (HTML).
"""

from __future__ import annotations

from typing import Any

__all__ = ["AuditConfig", "AuditResult", "run_audit"]


def __getattr__(name: str) -> Any:  # keep `import analyzer.audit.child` free of Dask and pandas
    if name in __all__:
        from analyzer.audit import runner

        return getattr(runner, name)
    raise AttributeError(name)
