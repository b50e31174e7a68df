"""`python -m bench [name ...]`: run the named benchmarks (default: all), each with its defaults."""
import importlib
import pkgutil
import sys
from pathlib import Path

names = sys.argv[1:] or sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                               if not m.name.startswith("_"))
for name in names:
    print(f"== bench.{name}")
    importlib.import_module(f"bench.{name}").main([])
