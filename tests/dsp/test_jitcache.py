"""The numba cache guard drops cached kernels when any source of the package changes."""

from pathlib import Path

from rtp.dsp.jitcache import invalidate_stale_cache


def test_cache_dropped_when_a_source_changes(tmp_path: Path):
    (tmp_path / "a.py").write_text("x = 1\n")
    assert invalidate_stale_cache(tmp_path)  # first time: no stamp
    cached = tmp_path / "__pycache__" / "a.kernel-1.py311.nbi"
    cached.write_text("machine code")
    assert not invalidate_stale_cache(tmp_path)  # unchanged sources: cache kept
    assert cached.exists()
    (tmp_path / "b.py").write_text("y = 2\n")  # another module changed
    assert invalidate_stale_cache(tmp_path)
    assert not cached.exists()


def test_generated_kernels_cache_dropped_too(tmp_path: Path):
    (tmp_path / "a.py").write_text("x = 1\n")
    invalidate_stale_cache(tmp_path)
    generated = tmp_path / "__pycache__" / "generated" / "__pycache__"
    generated.mkdir(parents=True)
    cached = generated / "stats_3_plain.entry-63.py311.1.nbc"
    cached.write_text("machine code linking a.py's functions")
    (tmp_path / "a.py").write_text("x = 2\n")
    assert invalidate_stale_cache(tmp_path)
    assert not cached.exists()
