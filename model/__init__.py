"""The regional economy: the Mesa model, markets, labour, policy, events and metrics."""

from model.region_model import RegionModel

__all__ = ["RegionModel"]
