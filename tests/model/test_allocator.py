"""The allocator setting of ``model.allocator`` (a speed setting: results never depend on it)."""

from __future__ import annotations

import ctypes
import platform

import pytest

from model import allocator


def _glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL("libc.so.6"), "mallopt")
    except OSError:
        return False


@pytest.mark.skipif(platform.system() != "Linux" or not _glibc(), reason="glibc only")
def test_freed_memory_is_kept_on_glibc_and_setting_it_twice_is_harmless():
    assert allocator.keep_freed_memory() is True
    assert allocator.keep_freed_memory() is True


def test_a_model_sets_it_when_built(monkeypatch):
    calls = []
    monkeypatch.setattr("model.region_model.keep_freed_memory", lambda: calls.append(1) or True)
    from model import RegionModel
    from scenarios import load_scenario

    RegionModel(load_scenario("baseline"), seed=1)
    assert calls == [1]
