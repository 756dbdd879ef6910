"""Running scenarios: single runs, result files, the command line."""

from experiments.run import RunResult, run, save_result, summary_table

__all__ = ["RunResult", "run", "save_result", "summary_table"]
