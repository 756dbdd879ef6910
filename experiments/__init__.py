"""Running scenarios: single runs, result files, the command line."""

from experiments.compare import Cancelled, Comparison, compare
from experiments.evaluate import evaluate
from experiments.parts import load_results
from experiments.replay import ReplayReport, replay
from experiments.run import RunResult, load_run, run, save_result, summary_table
from experiments.sweep import SweepSummary, sweep

__all__ = ["RunResult", "run", "save_result", "summary_table"]
__all__ += ["SweepSummary", "evaluate", "load_results", "sweep"]
__all__ += ["Cancelled", "Comparison", "ReplayReport", "compare", "load_run", "replay"]
